import { readFileSync } from 'node:fs';

/** One reading: when (epoch ms, sub-millisecond), the resident set size in bytes, and the CPU time used so far (user + system, all threads, ms). */
export interface RssSample {
  readonly at: number;
  readonly rss: number;
  readonly cpuMs: number;
}

/** Linux reports CPU times in clock ticks of USER_HZ, 100 per second on every architecture Node runs on. */
const MS_PER_TICK = 10;

/** Samples a process's resident set size (VmRSS) and CPU time every `everyMs` until stopped; Linux /proc only. */
export function sampleRss(pid: number, everyMs = 100): { stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      // utime and stime are fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpuMs = (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
      if (m) samples.push({ at: performance.timeOrigin + performance.now(), rss: Number(m[1]) * 1024, cpuMs });
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
