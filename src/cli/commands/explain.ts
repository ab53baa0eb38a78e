import { InvalidArgumentError, Option, type Command } from 'commander';
import { explainWorkspace } from '../../app/explain-workspace.js';
import { parseMemberQuery, type MemberQuery } from '../../core/member-query.js';
import { renderExplainJson } from '../../core/render/explain-json.js';
import { renderExplainText } from '../../core/render/explain-text.js';
import { shouldMask, withWorkspaceOptions, workspaceFrom, type CommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { stateFileSystem, useColor, type CliIo } from '../io.js';

/**
 * `groupops explain <identity value or member key>`: every group a member is in or will be in, the
 * file and line that put it there, and whether it is applied or pending. Values as written, unless
 * --mask or CI says otherwise (shouldMask).
 */
export function registerExplain(program: Command, io: CliIo, done: (code: number) => void): void {
  withWorkspaceOptions(program.command('explain'))
    .argument('<member>', 'an identity value (13900000000), a member key as plan prints it ("phone 13900000000"), or a masked value (139****0000)', query)
    .description('show every group a member is in or will be in, with the file and line that put it there, and whether it is applied or pending')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--mask', 'mask identity values (for pasting into a ticket; the default in CI)')
    .option('--no-mask', 'show identity values as written (the default outside CI)')
    .action(async (member: MemberQuery, opts: CommonOptions) => {
      const ws = await workspaceFrom(io, opts);
      const report = await explainWorkspace(ws, stateFileSystem(io), member);
      const mask = shouldMask(opts, ws);
      io.stdout.write(opts.format === 'json' ? renderExplainJson(report, { mask }) : renderExplainText(report, { color: useColor(io), mask }));
      // Like grep: a script can tell "not found" from "found" by the status alone.
      done(report.members.length > 0 ? EXIT.ok : EXIT.error);
    });
}

function query(value: string): MemberQuery {
  const parsed = parseMemberQuery(value);
  if (!parsed) throw new InvalidArgumentError('expected an identity value or a member key, e.g. 13900000000 or "phone 13900000000"');
  return parsed;
}
