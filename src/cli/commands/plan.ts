import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { planWorkspace } from '../../app/plan-workspace.js';
import { resolveIn } from '../../app/workspace.js';
import { isEmptyPlan } from '../../core/plan.js';
import { planCounts } from '../../core/render/describe.js';
import { InvalidInputError } from '../../errors/index.js';
import type { PlanOptions } from '../command-options.js';
import { outputMasked, shouldMask, withCommonOptions, workspaceFrom } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { stateFileSystem, useColor, writeFilePieces, writePieces, type CliIo } from '../io.js';
import { jsonErrorDocument } from '../json-output.js';
import { reportWarnings } from '../report-error.js';
import { jsonIsPretty, renderPlanChunks } from '../render-plan.js';

/** `groupops plan`: prints the pending changes and the requests they need; sends nothing. */
export function registerPlan(program: Command, io: CliIo, done: (code: number) => void): void {
  withCommonOptions(program.command('plan'))
    .description('show the pending changes and the requests they need; sends nothing')
    .option('--out <file>', 'write the rendered plan to a file instead of stdout')
    .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes, 1 on error')
    .option('--watch', 're-validate and re-plan on every change under the groups folder or of the config')
    .option('--pretty', 'indent the JSON plan (--format json), as it is on a terminal; a file or a pipe gets it on one line')
    .action(async (opts: PlanOptions) => {
      // A script reading the JSON plan gets a document that says why there is none (not with
      // --out: a file that held a plan is not replaced by an error).
      const failed = (err: unknown, mask: boolean): never => {
        if (opts.format === 'json' && !opts.out && !opts.watch) io.stdout.write(jsonErrorDocument(err, mask));
        throw err;
      };
      const ws = await workspaceFrom(io, opts).catch((err: unknown) => failed(err, outputMasked(io, opts)));
      if (opts.watch) {
        // Loaded when asked for: the file watcher is not needed by a single plan.
        const { watchPlan } = await import('../watch.js');
        await watchPlan(io, ws, opts);
        done(EXIT.ok);
        return;
      }
      const { plan, desired, snapshotDigest } = await planWorkspace(ws, stateFileSystem(io)).catch((err: unknown) => failed(err, shouldMask(opts, ws)));
      if (!desired.folderExists) {
        // Neither side exists: this is not the repository (a mistyped --groups, or another folder), not an empty plan.
        if (snapshotDigest === null) {
          const message = `the groups folder "${ws.groupsDir}" does not exist in ${ws.cwd}, and there is no snapshot (${ws.statePath}): run groupops in the repository root, create the folder, or name it with --groups`;
          failed(new InvalidInputError([{ file: ws.groupsDir, line: 1, column: 1, message }], 'there is nothing to plan'), shouldMask(opts, ws));
        }
        io.stderr.write(`warning: the groups folder "${ws.groupsDir}" does not exist: the plan deletes every applied membership\n`);
      }
      reportWarnings(io, desired.warnings, { mask: shouldMask(opts, ws) });
      // In pieces: a JSON plan lists every change, hundreds of MiB for a million, never held whole.
      const started = performance.now();
      // A file is written chunk by chunk, each before the next is rendered: its buffers are reused.
      const rendered = renderPlanChunks(plan, opts.format, {
        color: !opts.out && useColor(io),
        mask: shouldMask(opts, ws),
        pretty: jsonIsPretty(io, opts),
        reuseChunks: opts.out !== undefined,
      });
      if (opts.out) {
        const out = resolveIn(io.cwd, opts.out);
        await mkdir(dirname(out), { recursive: true });
        writeFilePieces(out, rendered);
        io.stderr.write(`Plan written to ${opts.out}: ${planCounts(plan.summary)}.\n`);
      } else await writePieces(io.stdout, rendered);
      ws.log?.(`plan rendered and written in ${Math.round(performance.now() - started)} ms`);
      done(opts.detailedExitcode && !isEmptyPlan(plan) ? EXIT.changes : EXIT.ok);
    });
}
