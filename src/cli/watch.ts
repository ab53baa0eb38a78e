import { basename, dirname, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { planWorkspace, type PlanCaches } from '../app/plan-workspace.js';
import { resolveIn, type Workspace } from '../app/workspace.js';
import { BatchMemo } from '../core/batches.js';
import { DiffMemo } from '../core/diff.js';
import { InvalidInputError } from '../errors/index.js';
import { GroupFileCache } from '../load/group-cache.js';
import { journalPath } from '../state/journal.js';
import { SnapshotCache } from '../state/snapshot-cache.js';
import { isHidden } from '../load/group-files.js';
import { shouldMask, workspaceFrom } from './common-options.js';
import type { PlanOptions } from './command-options.js';
import { stateFileSystem, useColor, type CliIo } from './io.js';
import { jsonIsPretty, renderPlan } from './render-plan.js';
import { reportError } from './report-error.js';

/** How long to wait for more events before re-planning: one save often fires several. */
const DEBOUNCE_MS = 30;

/**
 * `plan --watch`: re-plans on every change under the groups folder, of the applied side (the snapshot
 * and its journal, which an apply in another terminal writes) and of the config file, clearing the
 * screen first; a changed config is read again (its errors reported like a group file's, until it is
 * fixed), and a new `groups:` folder or state path is watched instead. Errors are shown and watching goes on;
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly. `reopen` reads the workspace again (default: as the
 * command line named it).
 */
export async function watchPlan(io: CliIo, ws: Workspace, opts: PlanOptions, signal?: AbortSignal, reopen: () => Promise<Workspace> = () => workspaceFrom(io, opts)): Promise<void> {
  const color = useColor(io);
  const fs = stateFileSystem(io);
  // Kept between runs: a re-plan after one edit re-reads one file and re-compares one group.
  const caches: PlanCaches = { groups: new GroupFileCache(), snapshot: new SnapshotCache(), diff: new DiffMemo(), batches: new BatchMemo() };
  let current = ws;
  let configChanged = false;
  let groups: FSWatcher | undefined;
  let applied: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, DEBOUNCE_MS);
  };
  const watchGroups = async (dir: string): Promise<void> => {
    await groups?.close();
    groups = watch(resolveIn(current.cwd, dir), {
      ignoreInitial: true,
      // Editors' swap and backup files are dot files; drafts start with "_": neither is a group file.
      ignored: (path: string) => isHidden(basename(path)) && path !== resolveIn(current.cwd, dir),
      awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
    });
    // Without a listener an 'error' event would end the process; watching goes on and says why.
    groups.on('error', (err) => io.stderr.write(`warning: watching ${dir}/ failed: ${err instanceof Error ? err.message : String(err)}\n`));
    // Ready before the first plan, so a save right after it is never missed.
    await new Promise<void>((resolve) => groups!.once('ready', resolve));
    groups.on('all', schedule);
  };
  const watchApplied = async (statePath: string): Promise<void> => {
    await applied?.close();
    const snapshot = resolveIn(current.cwd, statePath);
    applied = watchFiles([snapshot, journalPath(snapshot)], current.cwd, schedule);
    applied.on('error', (err) => io.stderr.write(`warning: watching ${statePath} failed: ${err instanceof Error ? err.message : String(err)}\n`));
    await new Promise<void>((resolve) => applied!.once('ready', resolve));
  };
  const run = async (): Promise<void> => {
    if (io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    const started = Date.now();
    let failure: unknown;
    try {
      if (configChanged) {
        // Until the config reads again, every round reports its problems instead of planning with the old one.
        const next = await reopen();
        configChanged = false;
        const moved = next.groupsDir !== current.groupsDir;
        const stateMoved = next.statePath !== current.statePath;
        current = next;
        if (moved) await watchGroups(current.groupsDir);
        if (stateMoved) await watchApplied(current.statePath);
      }
      const { plan } = await planWorkspace(current, fs, caches);
      io.stdout.write(renderPlan(plan, opts.format, { color, mask: shouldMask(opts, current), pretty: jsonIsPretty(io, opts) }));
    } catch (err) {
      failure = err;
      reportError(io, err, { mask: shouldMask(opts, ws) });
    }
    io.stderr.write(`\n[${new Date().toLocaleTimeString()}] ${roundOutcome(failure, Date.now() - started)}; watching ${current.groupsDir}/ and ${current.configPath} for changes (Ctrl-C to stop)\n`);
  };
  await watchGroups(current.groupsDir);
  await watchApplied(current.statePath);
  const config = watchFiles([resolveIn(ws.cwd, ws.configPath)], ws.cwd, () => {
    configChanged = true;
    schedule();
  });
  config.on('error', (err) => io.stderr.write(`warning: watching ${ws.configPath} failed: ${err instanceof Error ? err.message : String(err)}\n`));
  await new Promise<void>((resolve) => config.once('ready', resolve));
  running = run();
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
  await Promise.all([groups?.close(), applied?.close(), config.close()]);
  await running;
}

/**
 * Watches files of one folder that may not exist yet, nor their folder (`.groupops/` before the first
 * apply): chokidar sees nothing under a missing folder, so the watch starts at `base` (the repository
 * root, or the files' folder when it lies elsewhere) and lets through only the files and the folders
 * on their way; the lock and temporary files beside them, which come and go with every apply, are not watched.
 */
function watchFiles(files: readonly string[], base: string, onChange: () => void): FSWatcher {
  const folder = dirname(files[0]!);
  const root = folder === base || folder.startsWith(base + sep) ? base : folder;
  const wanted = new Set(files);
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (path: string) => !(path === root || wanted.has(path) || folder === path || folder.startsWith(path + sep)),
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
  });
  watcher.on('all', (_event, path) => {
    if (wanted.has(path)) onChange();
  });
  return watcher;
}

/** What a round of `plan --watch` came to: a plan, problems found in the files, or another error (reported above it). */
export function roundOutcome(failure: unknown, ms: number): string {
  if (failure === undefined) return `planned in ${ms} ms`;
  if (failure instanceof InvalidInputError) return `checked in ${ms} ms: ${failure.issues.length} problem${failure.issues.length === 1 ? '' : 's'}`;
  return `failed after ${ms} ms (see above)`;
}
