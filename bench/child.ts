import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a measured child process did. */
export interface ChildRun {
  readonly code: number | null;
  readonly wallMs: number;
  /** Peak resident set size in bytes, all threads (from getrusage in the child). */
  readonly peakRss: number;
  /** Empty when the run was asked not to keep it. */
  readonly stdout: string;
  readonly stdoutBytes: number;
  readonly stderr: string;
}

const HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));
/** This checkout's CLI. */
export const CLI = fileURLToPath(new URL('../../bin/groupops.js', import.meta.url));

export interface RunOptions {
  /** False: count stdout's bytes but keep none of it (an apply's JSON lists every change: hundreds of MiB at 1M). */
  readonly keepStdout?: boolean;
  /** Options for node itself, before the script (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/** Runs `node [--import rss-hook] script args` in `cwd`, timing it from spawn to exit. */
export function runNode(script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, onStart?: (pid: number) => void, options: RunOptions = {}): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'groupops-rss-'));
  const rssFile = join(dir, 'rss');
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', HOOK, script, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env, GROUPOPS_BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) onStart?.(child.pid);
  let stdout = '';
  let stdoutBytes = 0;
  let stderr = '';
  if (options.keepStdout === false) child.stdout.on('data', (d: Buffer) => (stdoutBytes += d.length));
  else child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let peakRss = 0;
      try {
        peakRss = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // The child died before its exit hook ran: no figure rather than a wrong one.
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, wallMs, peakRss, stdout, stdoutBytes: stdoutBytes || Buffer.byteLength(stdout), stderr });
    });
  });
}

/** Runs the built CLI. */
export function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, onStart?: (pid: number) => void, options: RunOptions = {}): Promise<ChildRun> {
  // GROUPOPS_BENCH_CLI: another build's bin/groupops.js, read per run so that two builds can take turns in one run.
  return runNode(process.env.GROUPOPS_BENCH_CLI ?? CLI, args, cwd, env, onStart, options);
}

/** Fails loudly when a measured command did not do what the figure claims. */
export function expectOk(run: ChildRun, what: string, codes: readonly number[] = [0]): ChildRun {
  if (run.code === null || !codes.includes(run.code)) {
    throw new Error(`${what} exited with ${run.code}:\n${run.stderr.slice(0, 2000)}\n${run.stdout.slice(0, 2000)}`);
  }
  return run;
}
