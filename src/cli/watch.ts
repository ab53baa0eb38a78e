import { watch } from 'chokidar';
import { planWorkspace } from '../app/plan-workspace.js';
import { resolveIn, type Workspace } from '../app/workspace.js';
import { shouldMask } from './common-options.js';
import type { PlanOptions } from './commands/plan.js';
import { useColor, type CliIo } from './io.js';
import { renderPlan } from './render-plan.js';
import { reportError } from './report-error.js';

/**
 * `plan --watch`: re-plans on every change under the groups folder, clearing the screen first;
 * errors are shown and watching goes on; Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
 */
export async function watchPlan(io: CliIo, ws: Workspace, opts: PlanOptions, signal?: AbortSignal): Promise<void> {
  const color = useColor(io);
  const run = async (): Promise<void> => {
    if (io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    const started = Date.now();
    try {
      const { plan } = await planWorkspace(ws);
      io.stdout.write(renderPlan(plan, opts.format, { color, mask: shouldMask(opts, ws) }));
    } catch (err) {
      reportError(io, err);
    }
    io.stderr.write(`\n[${new Date().toLocaleTimeString()}] planned in ${Date.now() - started} ms; watching ${ws.groupsDir}/ for changes (Ctrl-C to stop)\n`);
  };
  const watcher = watch(resolveIn(ws.cwd, ws.groupsDir), { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 } });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = run();
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, 30);
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  clearTimeout(timer);
  await watcher.close();
  await running;
}
