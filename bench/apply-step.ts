import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expectOk, runCli, type ChildRun } from './child.js';
import { sampleRss, type RssSample } from './rss-sampler.js';
import type { FromSandbox, ToSandbox } from './sandbox-process.js';

/** An apply measured against the sandbox. */
export interface ApplyFigures {
  readonly run: ChildRun;
  readonly requests: number;
  /** From the first request's arrival to the last answer: the sending phase. */
  readonly sendMs: number;
  /** ceil(requests / concurrency) × latency: the wall time of sending, were nothing else to cost. */
  readonly idealSendMs: number;
  /** RSS of the apply process while it was sending (first request to last answer): first and highest sample, in bytes. */
  readonly sendRss: { readonly first: number; readonly max: number; readonly samples: number };
  /** The highest RSS sample after the last answer (snapshot write, output). */
  readonly afterRss: number;
  /** CPU time (user + system) the sandbox process spent on this apply's requests. */
  readonly sandboxCpuMs: number;
}

/** The bench's sandbox: its own process (see sandbox-process.ts), with latency; lives for the whole bench. */
export interface BenchSandbox {
  readonly url: string;
  readonly token: string;
  readonly latencyMs: number;
  /** Forgets the sandbox's memberships (between tenants). */
  reset(): Promise<void>;
  /** Requests and CPU time since the last call. */
  stats(): Promise<{ requests: number; cpuMs: number }>;
  /** Called with the sandbox's clock (ms) at each request's arrival. */
  onRequest: ((at: number) => void) | undefined;
  close(): Promise<void>;
}

/** Starts the sandbox process with `latencyMs` added to every answer. */
export async function startSandboxProcess(latencyMs: number): Promise<BenchSandbox> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./sandbox-process.js', import.meta.url)), [String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (m: FromSandbox) => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let handle: BenchSandbox | undefined;
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error('the sandbox process exited before it was ready')));
    child.on('message', (m: FromSandbox) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'request') handle?.onRequest?.(m.at);
      else {
        waiting.get(m.type)?.(m);
        waiting.delete(m.type);
      }
    });
  });
  const ask = <T extends FromSandbox['type']>(type: T & ToSandbox['type']): Promise<Extract<FromSandbox, { type: T }>> =>
    new Promise((resolve) => {
      waiting.set(type, resolve as (m: FromSandbox) => void);
      child.send({ type } satisfies ToSandbox);
    });
  const { url, token } = await ready;
  handle = {
    url,
    token,
    latencyMs,
    onRequest: undefined,
    reset: async () => {
      await ask('reset');
    },
    stats: async () => {
      const { requests, cpuMs } = await ask('stats');
      return { requests, cpuMs };
    },
    close: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies ToSandbox);
      await exited;
    },
  };
  return handle;
}

/**
 * Runs `groupops apply` in `cwd` against the sandbox with `concurrency` requests in flight, and
 * measures requests, the sending phase (on the sandbox's clock) and the apply's memory while sending.
 */
export async function measureApply(sandbox: BenchSandbox, cwd: string, concurrency: number): Promise<ApplyFigures> {
  let first = 0;
  let last = 0;
  let lastHere = 0;
  let requests = 0;
  let sampler: { stop(): RssSample[] } | undefined;
  let pid = 0;
  await sandbox.stats();
  sandbox.onRequest = (at) => {
    if (requests === 0) {
      first = at;
      sampler = sampleRss(pid, 50);
    }
    requests++;
    last = at;
    lastHere = performance.now();
  };
  try {
    // --format json: the largest output apply can write (every change), so its memory is counted too.
    const run = expectOk(
      await runCli(['apply', '--concurrency', String(concurrency), '--format', 'json'], cwd, { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url }, (p) => (pid = p), { keepStdout: false }),
      'apply',
    );
    const all = sampler?.stop() ?? [];
    // The sending phase ends with the last answer; what follows is the snapshot write and the output.
    const samples = all.filter((s) => s.at <= lastHere + sandbox.latencyMs).map((s) => s.rss);
    const after = all.filter((s) => s.at > lastHere + sandbox.latencyMs).map((s) => s.rss);
    const { cpuMs } = await sandbox.stats();
    return {
      run,
      requests,
      sendMs: requests === 0 ? 0 : last - first + sandbox.latencyMs,
      idealSendMs: Math.ceil(requests / concurrency) * sandbox.latencyMs,
      sendRss: { first: samples[0] ?? 0, max: samples.length > 0 ? Math.max(...samples) : 0, samples: samples.length },
      afterRss: after.length > 0 ? Math.max(...after) : 0,
      sandboxCpuMs: cpuMs,
    };
  } finally {
    sampler?.stop();
    sandbox.onRequest = undefined;
  }
}
