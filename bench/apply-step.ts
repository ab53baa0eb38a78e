import { startSandbox } from '../src/sandbox/server.js';
import { expectOk, runCli, type ChildRun } from './child.js';
import { sampleRss } from './rss-sampler.js';

/** An apply measured against the sandbox. */
export interface ApplyFigures {
  readonly run: ChildRun;
  readonly requests: number;
  /** From the first request's arrival to the last answer: the sending phase. */
  readonly sendMs: number;
  /** ceil(requests / concurrency) × latency: the wall time of sending, were nothing else to cost. */
  readonly idealSendMs: number;
  /** RSS of the apply process while it was sending: first and highest sample, in bytes. */
  readonly sendRss: { readonly first: number; readonly max: number; readonly samples: number };
}

/** A sandbox that lives for the whole bench (with its memberships), with latency. */
export type BenchSandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * Runs `groupops apply` in `cwd` against the sandbox with `concurrency` requests in flight, and
 * measures requests, the sending phase and the memory while sending.
 */
export async function measureApply(sandbox: BenchSandbox, cwd: string, concurrency: number, latencyMs: number): Promise<ApplyFigures> {
  let first = 0;
  let last = 0;
  let requests = 0;
  let sampler: { stop(): number[] } | undefined;
  let pid = 0;
  const arrivals: number[] = [];
  const seen = (): void => {
    const now = performance.now();
    if (requests === 0) {
      first = now;
      sampler = sampleRss(pid, 50);
    }
    requests++;
    arrivals.push(now);
    last = now;
  };
  const previous = onRequestHook;
  onRequestHook = seen;
  try {
    const run = expectOk(
      await runCli(['apply', '--concurrency', String(concurrency), '--format', 'json'], cwd, { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url }, (p) => (pid = p)),
      'apply',
    );
    const samples = sampler?.stop() ?? [];
    return {
      run,
      requests,
      sendMs: requests === 0 ? 0 : last - first + latencyMs,
      idealSendMs: Math.ceil(requests / concurrency) * latencyMs,
      sendRss: { first: samples[0] ?? 0, max: samples.length > 0 ? Math.max(...samples) : 0, samples: samples.length },
    };
  } finally {
    onRequestHook = previous;
  }
}

/** Where the sandbox's per-request callback goes (the sandbox is started once, before any apply). */
export let onRequestHook: () => void = () => undefined;

/** A sandbox whose every request calls the current onRequestHook. */
export function startHookedSandbox(latencyMs: number): Promise<BenchSandbox> {
  return startSandbox({ latencyMs, maxLoggedRequests: 10, onRequest: () => onRequestHook() });
}
