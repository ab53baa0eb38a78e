import { readFileSync } from 'node:fs';

/** One reading: when (epoch ms, sub-millisecond) and the resident set size in bytes. */
export interface RssSample {
  readonly at: number;
  readonly rss: number;
}

/** Samples a process's resident set size (VmRSS) every `everyMs` until stopped; Linux /proc only. */
export function sampleRss(pid: number, everyMs = 100): { stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) samples.push({ at: performance.timeOrigin + performance.now(), rss: Number(m[1]) * 1024 });
    } catch {
      // The process ended between two samples.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
