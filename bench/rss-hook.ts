import { writeFileSync } from 'node:fs';

// Loaded with `node --import` into a measured child: at exit it records the process's peak RSS
// (all threads, workers included) where the bench asked, since the child's own output is the CLI's.
const out = process.env.GROUPOPS_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, String(process.resourceUsage().maxRSS * 1024));
  });
}
