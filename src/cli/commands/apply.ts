import { InvalidArgumentError, type Command } from 'commander';
import type { ApplyCliOptions } from '../command-options.js';
import { withCommonOptions } from '../common-options.js';
import type { CliIo } from '../io.js';
import { wholeNumber } from '../option-parsers.js';

/** `groupops apply`: plans, checks the safety limits, sends deletes then adds, writes the snapshot. */
export function registerApply(program: Command, io: CliIo, done: (code: number) => void): void {
  withApplyOptions(withCommonOptions(program.command('apply')))
    .option('--pretty', 'indent the JSON result (--format json), as it is on a terminal')
    .description('apply the pending changes: deletes first, then adds; writes the snapshot with every batch ID (needs RABBITPRE_TOKEN)')
    .action(async (opts: ApplyCliOptions) => {
      // Loaded when asked for: the API client, the journal and the progress bar are not needed by a plan.
      const { runApply } = await import('./apply-run.js');
      done(await runApply(io, opts));
    });
}

/** The options of an apply (also understood by `groupops github apply`, which runs one). */
export function withApplyOptions(cmd: Command): Command {
  return cmd
    .option('--max-deletes <n>', 'refuse more than N deletes (replaces the config limits)', wholeNumber(0))
    .option('--allow-mass-delete', 'apply even beyond the delete limits')
    .option('--expect-plan <sha256>', 'apply only if the plan has this checksum (the one `groupops plan` prints)', sha256)
    .option('--concurrency <n>', 'requests in flight within one operation (default: config api.concurrency, 4)', wholeNumber(1, 32))
    .option('--auto-approve', "send without asking for 'yes' (needed without a terminal, unless CI is set)");
}

function sha256(value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(v)) throw new InvalidArgumentError('expected the 64 hex digits of a plan checksum (groupops plan prints it)');
  return v;
}
