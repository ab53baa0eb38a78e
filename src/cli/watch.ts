import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import { watch } from 'chokidar';
import { planWorkspace, type PlanCaches } from '../app/plan-workspace.js';
import { resolveIn, type Workspace } from '../app/workspace.js';
import { DiffMemo } from '../core/diff.js';
import { InvalidInputError } from '../errors/index.js';
import { GroupFileCache } from '../load/group-cache.js';
import { journalPath } from '../state/journal.js';
import { SnapshotCache } from '../state/snapshot-cache.js';
import { isHidden } from '../load/group-files.js';
import { shouldMask } from './common-options.js';
import type { PlanOptions } from './commands/plan.js';
import { stateFileSystem, useColor, type CliIo } from './io.js';
import { renderPlan } from './render-plan.js';
import { reportError } from './report-error.js';

/** How long to wait for more events before re-planning: one save often fires several. */
const DEBOUNCE_MS = 30;

/**
 * `plan --watch`: re-plans on every change under the groups folder and of the applied side (the
 * snapshot and its journal, which an apply in another terminal writes), clearing the screen first;
 * errors are shown and watching goes on; Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
 */
export async function watchPlan(io: CliIo, ws: Workspace, opts: PlanOptions, signal?: AbortSignal): Promise<void> {
  const color = useColor(io);
  const fs = stateFileSystem(io);
  // Kept between runs: a re-plan after one edit re-reads one file and re-compares one group.
  const caches: PlanCaches = { groups: new GroupFileCache(), snapshot: new SnapshotCache(), diff: new DiffMemo() };
  const run = async (): Promise<void> => {
    if (io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    const started = Date.now();
    let failure: unknown;
    try {
      const { plan } = await planWorkspace(ws, fs, caches);
      io.stdout.write(renderPlan(plan, opts.format, { color, mask: shouldMask(opts, ws) }));
    } catch (err) {
      failure = err;
      reportError(io, err, { mask: shouldMask(opts, ws) });
    }
    io.stderr.write(`\n[${new Date().toLocaleTimeString()}] ${roundOutcome(failure, Date.now() - started)}; watching ${ws.groupsDir}/ for changes (Ctrl-C to stop)\n`);
  };
  const groupsDir = resolveIn(ws.cwd, ws.groupsDir);
  const applied = appliedSide(resolveIn(ws.cwd, ws.statePath));
  const watcher = watch([groupsDir, applied.root], {
    ignoreInitial: true,
    ignored: (path: string) =>
      // Editors' swap and backup files are dot files; drafts start with "_": neither is a group file.
      path === groupsDir || isInside(groupsDir, path) ? isHidden(basename(path)) && path !== groupsDir : !applied.paths.has(path),
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
  });
  // Without a listener an 'error' event would end the process; watching goes on and says why.
  watcher.on('error', (err) => io.stderr.write(`warning: watching ${ws.groupsDir}/ failed: ${err instanceof Error ? err.message : String(err)}\n`));
  // Plan only once the watcher is ready, so a save right after the first plan is never missed.
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = run();
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, DEBOUNCE_MS);
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
  });
  clearTimeout(timer);
  await watcher.close();
  await running;
}

/**
 * What to watch of the applied side: the snapshot and its journal by name, from the nearest folder
 * that exists (a first apply creates `.groupops/`; watching a file that does not exist yet misses
 * it), and nothing else there: the lock and temporary files come and go with every apply.
 */
function appliedSide(statePath: string): { root: string; paths: ReadonlySet<string> } {
  const paths = new Set([statePath, journalPath(statePath)]);
  let root = dirname(statePath);
  for (; !existsSync(root) && dirname(root) !== root; root = dirname(root)) paths.add(root);
  paths.add(root);
  return { root, paths };
}

/** Whether `path` is below `folder` (not the folder itself). */
function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** What a round of `plan --watch` came to: a plan, problems found in the files, or another error (reported above it). */
export function roundOutcome(failure: unknown, ms: number): string {
  if (failure === undefined) return `planned in ${ms} ms`;
  if (failure instanceof InvalidInputError) return `checked in ${ms} ms: ${failure.issues.length} problem${failure.issues.length === 1 ? '' : 's'}`;
  return `failed after ${ms} ms (see above)`;
}
