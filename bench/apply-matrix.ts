import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureApply, startSandboxProcess, type ApplyFigures } from './apply-step.js';
import { mib, seconds, type Row } from './table.js';

/** One apply configuration: the sandbox's latency, the requests in flight, and the sending target if it is one. */
export interface ApplyConfig {
  readonly latencyMs: number;
  readonly concurrency: number;
  /** The most the sending may exceed ceil(requests/N) × L, as a ratio (0.1: 10%); absent: a figure, not a target. */
  readonly within?: number;
  /** Profile the apply's main thread to split its CPU by category (sampling costs a few percent: not on a target's run). */
  readonly profile?: boolean;
}

/**
 * Apply at the latencies a real import answers with (hundreds of milliseconds for 500 items), at
 * the default concurrency and at 16 in flight (issue 14).
 */
export const APPLY_MATRIX: readonly ApplyConfig[] = [
  { latencyMs: 100, concurrency: 4, within: 0.1 },
  { latencyMs: 100, concurrency: 16, profile: true },
  { latencyMs: 300, concurrency: 4, within: 0.1 },
  { latencyMs: 300, concurrency: 16, within: 0.1 },
];

/** The client may spend this much CPU per request (all threads), measured at L = 100 ms, N = 4. */
export const CLIENT_CPU_TARGET_MS = 3;

export interface ApplyMatrixResult {
  readonly rows: Row[];
  readonly checks: { readonly ok: boolean; readonly text: string }[];
  readonly figures: readonly { readonly config: ApplyConfig; readonly apply: ApplyFigures }[];
}

/**
 * Applies the tenant in `dir` once per configuration, each against an empty platform and without
 * a snapshot: one sandbox process per latency, forgetting its memberships between runs.
 */
export async function benchApplyMatrix(tier: string, dir: string, bound: number, configs: readonly ApplyConfig[], progress: (what: string) => void): Promise<ApplyMatrixResult> {
  const rows: Row[] = [];
  const checks: ApplyMatrixResult['checks'] = [];
  const figures: { config: ApplyConfig; apply: ApplyFigures }[] = [];
  for (const latencyMs of [...new Set(configs.map((c) => c.latencyMs))]) {
    const sandbox = await startSandboxProcess(latencyMs);
    try {
      for (const config of configs.filter((c) => c.latencyMs === latencyMs)) {
        progress(`apply, N=${config.concurrency}, sandbox latency ${latencyMs} ms`);
        rmSync(join(dir, '.groupops', 'snapshot.json'), { force: true });
        await sandbox.reset();
        const apply = await measureApply(sandbox, dir, config.concurrency, { profile: config.profile === true });
        figures.push({ config, apply });
        rows.push(applyRow(tier, apply, config, bound, config.profile ? ', profiled' : ''));
        if (config.within !== undefined) {
          const over = overhead(apply);
          checks.push({ ok: over <= config.within, text: `apply sending within ${Math.round(config.within * 100)}% of ceil(req/N)×L, N=${config.concurrency}, L=${latencyMs} ms (${percent(over)})` });
        }
      }
    } finally {
      await sandbox.close();
    }
  }
  const reference = figures.find((f) => f.config.latencyMs === 100 && f.config.concurrency === 4);
  if (reference) {
    const perRequest = clientCpuPerRequest(reference.apply);
    checks.push({ ok: perRequest <= CLIENT_CPU_TARGET_MS, text: `client CPU ${perRequest.toFixed(1)} ms/request ≤ ${CLIENT_CPU_TARGET_MS} ms (all threads, while sending, N=4, L=100 ms)` });
  }
  return { rows, checks, figures };
}

/** How much longer sending took than ceil(requests/N) × L, as a ratio. */
export function overhead(apply: ApplyFigures): number {
  return apply.sendMs / apply.idealSendMs - 1;
}

export function percent(ratio: number): string {
  return `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)}%`;
}

function clientCpuPerRequest(apply: ApplyFigures): number {
  return apply.clientCpuMs / Math.max(1, apply.requests);
}

/** A table row for one apply: sending against its lower bound, memory while sending, CPU of client and sandbox. */
export function applyRow(tier: string, apply: ApplyFigures, config: ApplyConfig, bound: number, remark = ''): Row {
  const split = apply.cpuSplit;
  const perRequest = clientCpuPerRequest(apply);
  // The profile's shares of the main thread's busy time, applied to the process's CPU time.
  const ms = (share: number): string => (share * perRequest).toFixed(1);
  const cpu = `client CPU ${perRequest.toFixed(1)} ms/request` + (split ? `: HTTP ${ms(split.http)}, journal ${ms(split.journal)}, rest ${ms(split.rest)} (of which GC ${ms(split.gc)})` : '');
  return {
    tier,
    step: `apply (N=${config.concurrency}, L=${config.latencyMs} ms)${remark}`,
    wallMs: apply.run.wallMs,
    peakRss: apply.run.peakRss,
    requests: `${apply.requests} / ${bound}`,
    note:
      `sending ${seconds(apply.sendMs)} vs ceil(req/N)×L ${seconds(apply.idealSendMs)} (${percent(overhead(apply))}); ${cpu}; ` +
      `RSS while sending: first ${mib(apply.sendRss.first)}, max ${mib(apply.sendRss.firstHalfMax)} in the first half, ${mib(apply.sendRss.secondHalfMax)} in the second (${apply.sendRss.samples} samples), after sending ${mib(apply.afterRss)}; ` +
      `sandbox CPU ${(apply.sandboxCpuMs / Math.max(1, apply.requests)).toFixed(1)} ms/request`,
  };
}
