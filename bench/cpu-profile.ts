import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the main thread was busy with while sending, as shares of its busy samples (they add up to
 * 1). Samples measure time the thread was not idle, which on a loaded machine includes time it
 * waited for a core: the shares hold, the durations would not, so the bench applies the shares to
 * the CPU time the process used.
 */
export interface CpuSplit {
  /** ky, undici, the sockets, src/api/ (body encoding, answer parsing, retries). */
  readonly http: number;
  /** src/state/journal*: recording each acknowledged request. */
  readonly journal: number;
  /** Everything else: the apply loop, progress, the garbage collector (also counted in `gc`), V8 itself. */
  readonly rest: number;
  readonly gc: number;
}

/** The part of V8's .cpuprofile format read here. */
interface Profile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

type Category = 'http' | 'journal' | 'gc' | 'idle' | 'rest';

/** The .cpuprofile a `node --cpu-prof --cpu-prof-dir=dir` run wrote (the one file in `dir`). */
export function readProfileIn(dir: string): Profile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`);
  return JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as Profile;
}

/**
 * Splits the main thread's busy samples while sending by category. The window
 * is in CLOCK_MONOTONIC microseconds, the clock of V8's profile timestamps (and of
 * process.hrtime in any process of the machine), so the bench can give the window it measured.
 * A sample's category is that of the nearest frame up its stack that belongs to one (so the
 * sockets' and fs' internals count for whoever called them); a stack of Node internals alone
 * counts as HTTP when a socket's code is in it (an answer arriving).
 */
export function splitCpu(profile: Profile, window: { readonly fromUs: number; readonly toUs: number }): CpuSplit {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = memo.get(id);
    if (known) return known;
    let found: Category | undefined;
    let socketSeen = false;
    for (let at: number | undefined = id; at !== undefined && found === undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      found = frameCategory(frame.functionName, frame.url);
      socketSeen ||= /^node:(net|_http|internal\/stream_base_commons|internal\/streams)/.test(frame.url);
    }
    const category = found ?? (socketSeen ? 'http' : 'rest');
    memo.set(id, category);
    return category;
  };

  // Sample i's time is the sum of the deltas up to it; its weight is the time to the next sample.
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const sums: Record<Category, number> = { http: 0, journal: 0, gc: 0, idle: 0, rest: 0 };
  for (let i = 0; i + 1 < times.length; i++) {
    if (times[i]! >= window.fromUs && times[i]! < window.toUs) sums[categoryOf(profile.samples[i]!)] += times[i + 1]! - times[i]!;
  }
  const busy = Math.max(1, sums.http + sums.journal + sums.gc + sums.rest);
  return { http: sums.http / busy, journal: sums.journal / busy, rest: (sums.rest + sums.gc) / busy, gc: sums.gc / busy };
}

function frameCategory(functionName: string, url: string): Category | undefined {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (/\/node_modules\/(ky|undici|lossless-json)\/|\/dist\/src\/api\//.test(url)) return 'http';
  if (/\/dist\/src\/state\/journal/.test(url)) return 'journal';
  // core/ is shared (json-text serves the v2 body and the journal): its caller decides.
  if (/\/dist\/src\/(?!core\/)/.test(url)) return 'rest';
  return undefined;
}
