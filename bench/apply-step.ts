import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectOk, runCli, type ChildRun } from './child.js';
import { readProfileIn, splitCpu, type CpuSplit } from './cpu-profile.js';
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
  /**
   * RSS of the apply process while it was sending (first request to last answer), in bytes: the
   * first sample, the highest of the first and of the second half (flat memory: the second half's
   * is no higher than the first's), and the number of samples.
   */
  readonly sendRss: { readonly first: number; readonly firstHalfMax: number; readonly secondHalfMax: number; readonly samples: number };
  /** The highest RSS sample after the last answer (snapshot write, output). */
  readonly afterRss: number;
  /** CPU time (user + system) the sandbox process spent on this apply's requests. */
  readonly sandboxCpuMs: number;
  /** CPU time (user + system, all threads) the apply process spent while sending, from /proc samples. */
  readonly clientCpuMs: number;
  /** What the main thread was busy with while sending, as shares (profiled runs only). */
  readonly cpuSplit?: CpuSplit;
}

/** The bench's sandbox: its own process (see sandbox-process.ts), with latency; lives for the whole bench. */
export interface BenchSandbox {
  readonly url: string;
  readonly token: string;
  readonly latencyMs: number;
  /** Forgets the sandbox's memberships (between tenants). */
  reset(): Promise<void>;
  /** Request arrivals (epoch ms) and CPU time since the last call. */
  stats(): Promise<{ arrivals: readonly number[]; cpuMs: number }>;
  close(): Promise<void>;
}

/** Starts the sandbox process with `latencyMs` added to every answer. */
export async function startSandboxProcess(latencyMs: number): Promise<BenchSandbox> {
  const child = fork(fileURLToPath(new URL('./sandbox-process.js', import.meta.url)), [String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<string, (m: FromSandbox) => void>();
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error('the sandbox process exited before it was ready')));
    child.on('message', (m: FromSandbox) => {
      if (m.type === 'ready') resolve(m);
      waiting.get(m.type)?.(m);
      waiting.delete(m.type);
    });
  });
  const ask = <T extends ToSandbox['type'] & FromSandbox['type']>(type: T): Promise<Extract<FromSandbox, { type: T }>> =>
    new Promise((resolve) => {
      waiting.set(type, resolve as (m: FromSandbox) => void);
      child.send({ type } satisfies ToSandbox);
    });
  const { url, token } = await ready;
  return {
    url,
    token,
    latencyMs,
    reset: async () => {
      await ask('reset');
    },
    stats: async () => {
      const { arrivals, cpuMs } = await ask('stats');
      return { arrivals, cpuMs };
    },
    close: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies ToSandbox);
      await exited;
    },
  };
}

/**
 * Runs `groupops apply` in `cwd` against the sandbox with `concurrency` requests in flight, and
 * measures requests, the sending phase (first arrival to last answer), the apply's memory and CPU
 * while sending, and with `profile` its main thread's CPU by category (a V8 CPU profile: sampling
 * costs a few percent, so targets are not measured on profiled runs).
 */
export async function measureApply(sandbox: BenchSandbox, cwd: string, concurrency: number, options: { profile?: boolean } = {}): Promise<ApplyFigures> {
  await sandbox.stats();
  let sampler: { stop(): RssSample[] } | undefined;
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'groupops-bench-prof-')) : undefined;
  try {
    // --format json: the largest output apply can write (every change), so its memory is counted too.
    const run = expectOk(
      await runCli(
        ['apply', '--auto-approve', '--concurrency', String(concurrency), '--format', 'json'],
        cwd,
        { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url },
        (pid) => (sampler = sampleRss(pid, 50)),
        {
          keepStdout: false,
          ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
        },
      ),
      'apply',
    );
    const all = sampler?.stop() ?? [];
    const { arrivals, cpuMs } = await sandbox.stats();
    const requests = arrivals.length;
    const first = arrivals[0] ?? 0;
    // The sending phase ends with the last answer; what follows is the snapshot write and the output.
    const end = (arrivals[requests - 1] ?? 0) + sandbox.latencyMs;
    const during = all.filter((s) => s.at >= first && s.at <= end);
    const middle = (first + end) / 2;
    const max = (samples: readonly RssSample[]) => Math.max(0, ...samples.map((s) => s.rss));
    const after = all.filter((s) => s.at > end);
    return {
      run,
      requests,
      sendMs: requests === 0 ? 0 : end - first,
      idealSendMs: Math.ceil(requests / concurrency) * sandbox.latencyMs,
      sendRss: {
        first: during[0]?.rss ?? 0,
        firstHalfMax: max(during.filter((s) => s.at <= middle)),
        secondHalfMax: max(during.filter((s) => s.at > middle)),
        samples: during.length,
      },
      afterRss: max(after),
      sandboxCpuMs: cpuMs,
      clientCpuMs: (during.at(-1)?.cpuMs ?? 0) - (during[0]?.cpuMs ?? 0),
      ...(profileDir ? { cpuSplit: splitCpu(readProfileIn(profileDir), { fromUs: monotonicUs(first), toUs: monotonicUs(end) }) } : {}),
    };
  } finally {
    sampler?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

/** An epoch time (ms) as CLOCK_MONOTONIC microseconds, the clock of V8's CPU profiles (shared by every process of the machine). */
function monotonicUs(epochMs: number): number {
  const offsetMs = performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6;
  return (epochMs - offsetMs) * 1000;
}
