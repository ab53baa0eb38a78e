import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { CLI } from './child.js';

/** Re-plans of `plan --watch` after editing one file. */
export interface WatchFigures {
  /** The first (cold) plan, as the tool reports it. */
  readonly firstMs: number;
  /** Each re-plan after an edit, as the tool reports it ("planned in N ms"). */
  readonly replanMs: readonly number[];
  /** From writing the file to the re-plan's report, file-watching delays included. */
  readonly endToEndMs: readonly number[];
}

/**
 * Starts `groupops plan --watch` in `cwd`, waits for the first plan, then appends a member to
 * `file` `edits` times, timing each re-plan; stops the watcher with SIGINT and restores the file.
 */
export async function measureWatch(cwd: string, file: string, edits: number): Promise<WatchFigures> {
  const original = readFileSync(file, 'utf8');
  const child = spawn(process.execPath, [CLI, 'plan', '--watch', '--format', 'text'], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const reports: { at: number; ms: number }[] = [];
  let waiting: (() => void) | undefined;
  let buffer = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    for (let m = /planned in (\d+) ms/.exec(buffer); m; m = /planned in (\d+) ms/.exec(buffer)) {
      reports.push({ at: performance.now(), ms: Number(m[1]) });
      buffer = buffer.slice(m.index + m[0].length);
      waiting?.();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const nextReport = (count: number) =>
    new Promise<void>((resolve, reject) => {
      if (reports.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`plan --watch gave no report ${count} within 5 minutes`)), 300_000);
      waiting = () => {
        if (reports.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  try {
    await nextReport(1);
    const endToEnd: number[] = [];
    let text = original;
    for (let i = 0; i < edits; i++) {
      // Let the watcher settle, so each edit is one change event.
      await new Promise((r) => setTimeout(r, 500));
      text = `${text}  - phone: "199${String(i).padStart(8, '0')}"\n`;
      const wrote = performance.now();
      writeFileSync(file, text);
      await nextReport(i + 2);
      endToEnd.push(reports[i + 1]!.at - wrote);
    }
    return { firstMs: reports[0]!.ms, replanMs: reports.slice(1).map((r) => r.ms), endToEndMs: endToEnd };
  } finally {
    child.kill('SIGINT');
    await exited;
    writeFileSync(file, original);
  }
}
