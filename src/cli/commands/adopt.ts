import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AdoptOutcome } from '../../app/adopt.js';
import { FORMAT_VERSION } from '../../core/render/json.js';
import { describeTarget } from '../../core/target.js';
import { plural } from '../../core/render/describe.js';
import { withWorkspaceOptions, workspaceFrom, type CommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { stateFileSystem, type CliIo } from '../io.js';
import { jsonErrorDocument } from '../json-output.js';
import { wholeNumber } from '../option-parsers.js';

export interface AdoptCliOptions extends Omit<CommonOptions, 'mask'> {
  from?: string;
  identityType: string[];
  ignoreColumn: string[];
  csvThreshold?: number;
  force?: boolean;
  retarget?: boolean;
}

/** `groupops adopt`: records memberships the platform already holds into the snapshot; sends nothing. */
export function registerAdopt(program: Command, io: CliIo, done: (code: number) => void): void {
  withWorkspaceOptions(program.command('adopt'))
    .description('record memberships the platform already holds into the snapshot, sending nothing: from the group files, or (--from) from an export of the platform, writing the group files too')
    .addOption(
      new Option('--from <export.csv>', "an export of the platform's memberships (CSV: group, identity columns, …; see docs/adopting.md): write the group files from it, and the snapshot").conflicts(
        'retarget',
      ),
    )
    .option('--identity-type <type>', 'a custom identity type of the tenant that the export has a column for (repeatable)', collect(identityType), [])
    .option(
      '--ignore-column <name>',
      'an export column to leave out, e.g. name or email (repeatable)',
      collect((v) => v),
      [],
    )
    .option('--csv-threshold <n>', 'groups with more members keep them in a CSV member list (default 1000)', wholeNumber(0))
    .option('--force', "replace a snapshot that records memberships (and, with --from, the group files of the export's groups)")
    .addOption(new Option('--retarget', "keep the snapshot's memberships and record the selected target (the tenant's URL or the target's name changed)").conflicts('force'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: AdoptCliOptions) => {
      let outcome: AdoptOutcome;
      let statePath: string;
      try {
        const ws = await workspaceFrom(io, { ...opts, format: 'text' }, { creates: opts.from !== undefined });
        statePath = ws.statePath;
        const { adoptWorkspace } = await import('../../app/adopt.js');
        const { gitHeadCommit } = await import('../../app/git-info.js');
        const { toolVersion } = await import('../../load/package-root.js');
        outcome = await adoptWorkspace(
          ws,
          { fileSystem: stateFileSystem(io), clock: () => new Date(), gitCommit: gitHeadCommit, toolVersion: toolVersion() },
          {
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            identityTypes: opts.identityType,
            ignoreColumns: opts.ignoreColumn,
            ...(opts.csvThreshold !== undefined ? { csvThreshold: opts.csvThreshold } : {}),
            force: opts.force === true,
            retarget: opts.retarget === true,
          },
        );
      } catch (err) {
        // A script reading --format json gets a document that says why nothing was adopted (local output: values as written).
        if (opts.format === 'json') io.stdout.write(jsonErrorDocument(err, false));
        throw err;
      }
      io.stdout.write(opts.format === 'json' ? `${JSON.stringify(adoptJson(outcome, statePath, opts.from), null, 2)}\n` : adoptText(outcome, statePath, opts.from));
      done(EXIT.ok);
    });
}

/** What adopt did, for people. */
export function adoptText(outcome: AdoptOutcome, statePath: string, from: string | undefined): string {
  const lines: string[] = [];
  const target = describeTarget(outcome.target);
  if (outcome.source === 'retarget') {
    const before = outcome.previous.target ? `it recorded ${describeTarget(outcome.previous.target)} before` : 'it recorded no target before';
    lines.push(`${statePath} now belongs to target ${target}; ${before}. Its ${plural(outcome.memberships, 'membership')} are kept; nothing was sent.`);
  } else {
    const source = outcome.source === 'export' ? `the export ${from}` : 'the group files';
    lines.push(`Adopted ${plural(outcome.memberships, 'membership')} in ${plural(outcome.groups, 'group')} from ${source} as already on target ${target}. Nothing was sent.`);
    if (outcome.previous.memberships > 0) lines.push(`They replace the ${plural(outcome.previous.memberships, 'membership')} the snapshot recorded before (--force).`);
    if (outcome.files.length > 0) {
      lines.push(`Wrote ${plural(outcome.files.length, 'file')}${outcome.replaced.length > 0 ? ` (${outcome.replaced.length} replaced)` : ''}:`);
      for (const f of outcome.files) lines.push(`  ${f}`);
    }
    const examples = new Set(outcome.initExamples ?? []);
    for (const f of examples) lines.push(`Removed ${f}: the example \`groupops init\` wrote, unchanged, which the export's groups replace.`);
    const replacedGroups = outcome.removed.filter((f) => !examples.has(f));
    if (replacedGroups.length > 0) {
      lines.push(`Removed ${plural(replacedGroups.length, 'file')} whose groups the export replaces (--force):`);
      for (const f of replacedGroups) lines.push(`  ${f}`);
    }
    if (outcome.otherGroupFiles.length > 0) {
      lines.push(
        `${plural(outcome.otherGroupFiles.length, 'other group file')} in the groups folder ${outcome.otherGroupFiles.length === 1 ? 'is' : 'are'} not in the export: groupops plan shows ${outcome.otherGroupFiles.length === 1 ? 'its' : 'their'} memberships as adds.`,
      );
    }
  }
  if (outcome.journalRemoved) lines.push("The interrupted apply's journal was removed: the snapshot written holds what the platform has.");
  lines.push(
    `Snapshot written: ${statePath}. Commit it${outcome.files.length > 0 ? ' with the group files' : ''}; groupops plan ${outcome.source === 'retarget' ? 'now plans against it' : 'now shows no changes'}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** What adopt did, for scripts (schemas/adopt-output.schema.json). */
function adoptJson(outcome: AdoptOutcome, statePath: string, from: string | undefined): unknown {
  return {
    formatVersion: FORMAT_VERSION,
    adopted: outcome.source === 'retarget' ? null : { source: outcome.source, ...(from !== undefined ? { file: from } : {}), groups: outcome.groups, memberships: outcome.memberships },
    target: outcome.target,
    snapshot: { path: statePath, written: true, memberships: outcome.memberships },
    previous: { memberships: outcome.previous.memberships, target: outcome.previous.target ?? null },
    files: outcome.files,
    replaced: outcome.replaced,
    removed: outcome.removed,
    otherGroupFiles: outcome.otherGroupFiles,
    journalRemoved: outcome.journalRemoved,
  };
}

function collect(parse: (value: string) => string): (value: string, previous: string[]) => string[] {
  return (value, previous) => [...previous, parse(value)];
}

/** A custom identity type as group files allow them: a letter, then letters, digits or _ (and not a member field). */
function identityType(value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(v) || ['platform', 'appid', 'isWeChatEcosystem', 'identities', 'type', 'value', 'group', 'category', 'kind', 'wxDeptId', 'thirdDeptId', 'deptId'].includes(v)) {
    throw new InvalidArgumentError('expected an identity type: a letter, then letters, digits or _ (not a member or export field such as platform or group)');
  }
  return v;
}
