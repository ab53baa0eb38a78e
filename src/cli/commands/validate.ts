import type { Command } from 'commander';
import { describeDesired, validateGroups } from '../../app/plan-workspace.js';
import { plural } from '../../core/render/describe.js';
import { failureOf } from '../../core/apply-report.js';
import { errorJson } from '../../core/render/apply-report.js';
import { FORMAT_VERSION } from '../../core/render/json.js';
import { maskIssue } from '../../core/render/mask-issue.js';
import { InvalidInputError, type SourceIssue } from '../../errors/index.js';
import { outputMasked, shouldMask, withCommonOptions, workspaceFrom, type CommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { reportWarnings } from '../report-error.js';

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
        const mask = shouldMask(opts, ws);
        if (opts.format === 'json') {
          const warnings = desired.warnings.map((w) => issueJson(w, mask));
          io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, valid: true, ...counts, issues: [], warnings }, null, 2)}\n`);
        } else {
          reportWarnings(io, desired.warnings, { mask });
          io.stdout.write(`${plural(counts.files, 'group file')} valid: ${plural(counts.groups, 'group')}, ${plural(counts.memberships, 'membership')}.\n`);
        }
        done(EXIT.ok);
      } catch (err) {
        if (opts.format === 'json') {
          // Masked as the command's other output is (in CI, or as configured). Any other failure is named as the error.
          const mask = outputMasked(io, opts);
          const issues = err instanceof InvalidInputError ? err.issues.map((i) => issueJson(i, mask)) : [];
          const error = err instanceof InvalidInputError ? {} : { error: errorJson(failureOf(err), mask) };
          io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, valid: false, issues, ...error }, null, 2)}\n`);
        }
        throw err;
      }
    });
}

/**
 * The documented issue shape only: `sensitive` is for masking and says nothing a script needs;
 * the values it lists are masked when the output is (in CI, or as configured).
 */
function issueJson(issue: SourceIssue, mask: boolean): { file: string; line: number; column: number; message: string } {
  const { file, line, column, message } = mask ? maskIssue(issue) : issue;
  return { file, line, column, message };
}
