import cliProgress from 'cli-progress';
import type { ApplyProgress } from '../app/apply.js';
import type { Plan } from '../core/plan.js';
import { plural } from '../core/render/describe.js';
import { describeAnswer } from '../core/render/not-applied.js';
import { isCi } from './common-options.js';
import type { CliIo } from './io.js';

/** Apply progress for the command line, plus the client's retries; `stop` ends a bar cleanly. */
export interface ApplyReporter extends ApplyProgress {
  retry(info: { attempt: number; delayMs: number; reason: string }): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; plain lines in CI and when stderr is not a terminal, so logs stay
 * readable (`[3/12] add 500 items -> batch 15314513451345125`). Everything goes to stderr: stdout
 * carries the plan and the result.
 */
export function createApplyReporter(io: CliIo): ApplyReporter {
  return io.stderr.isTTY && !isCi(io.env) ? barReporter(io) : lineReporter(io);
}

function lineReporter(io: CliIo): ApplyReporter {
  const line = (s: string): void => {
    io.stderr.write(`${s}\n`);
  };
  return {
    warn: (message) => line(`warning: ${message}`),
    sending: (plan, concurrency) => line(sendingLine(plan, concurrency)),
    acknowledged: ({ request, done, total }) => line(`[${done}/${total}] ${describeAnswer(request)}`),
    retry: (info) => line(`retry: attempt ${info.attempt} in ${info.delayMs} ms (${info.reason})`),
    stop: () => undefined,
  };
}

function barReporter(io: CliIo): ApplyReporter {
  // cli-progress drives the cursor through readline, which needs the real stream.
  const stream = io.stderr as unknown as NodeJS.WritableStream;
  const bar = new cliProgress.SingleBar(
    { stream, format: 'applying {bar} {value}/{total} requests | {last}', hideCursor: true, clearOnComplete: false, linewrap: false, barsize: 24 },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    warn: (message) => {
      io.stderr.write(`warning: ${message}\n`);
    },
    sending: (plan: Plan, concurrency: number) => {
      io.stderr.write(`${sendingLine(plan, concurrency)}\n`);
      bar.start(plan.batches.length, 0, { last: '' });
      running = true;
    },
    acknowledged: ({ request, done }) => bar.update(done, { last: describeAnswer(request) }),
    retry: (info) => {
      if (running) bar.update({ last: `retrying (attempt ${info.attempt} in ${info.delayMs} ms): ${info.reason}` });
      else io.stderr.write(`retry: attempt ${info.attempt} in ${info.delayMs} ms (${info.reason})\n`);
    },
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}

function sendingLine(plan: Plan, concurrency: number): string {
  return `Sending ${plural(plan.batches.length, 'request')} (deletes first, up to ${concurrency} in flight)...`;
}
