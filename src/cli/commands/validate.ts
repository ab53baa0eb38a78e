import type { Command } from 'commander';
import { describeDesired, validateGroups } from '../../app/plan-workspace.js';
import { plural } from '../../core/render/describe.js';
import { failureOf } from '../../core/apply-report.js';
import { errorJson } from '../../core/render/apply-report.js';
import { FORMAT_VERSION } from '../../core/render/json.js';
import { InvalidInputError } from '../../errors/index.js';
import { withCommonOptions, workspaceFrom, type CommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** `groupops validate`: checks every group file and the config. */
export function registerValidate(program: Command, io: CliIo, done: (code: number) => void): void {
  withCommonOptions(program.command('validate'))
    .description('check every group file and the config; exit 0 valid, 1 invalid')
    .action(async (opts: CommonOptions) => {
      try {
        const ws = await workspaceFrom(io, opts);
        const desired = await validateGroups(ws);
        if (!desired.folderExists) {
          const message = `the groups folder "${ws.groupsDir}" does not exist or is not a folder: create it, or name it with --groups`;
          throw new InvalidInputError([{ file: ws.groupsDir, line: 1, column: 1, message }], 'there is nothing to validate');
        }
        const counts = describeDesired(desired);
        if (opts.format === 'json') io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, valid: true, ...counts, issues: [] }, null, 2)}\n`);
        else io.stdout.write(`${plural(counts.files, 'group file')} valid: ${plural(counts.groups, 'group')}, ${plural(counts.memberships, 'membership')}.\n`);
        done(EXIT.ok);
      } catch (err) {
        if (opts.format === 'json') {
          // The documented issue shape only: `sensitive` is for masking and says nothing a script needs
          // (this output is local, so the values stay as written). Any other failure is named as the error.
          const issues = err instanceof InvalidInputError ? err.issues.map(({ file, line, column, message }) => ({ file, line, column, message })) : [];
          const error = err instanceof InvalidInputError ? {} : { error: errorJson(failureOf(err), false) };
          io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, valid: false, issues, ...error }, null, 2)}\n`);
        }
        throw err;
      }
    });
}
