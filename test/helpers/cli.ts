import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { FileSystem } from '../../src/state/file-system.js';
import { textOf } from './text-of.js';

// Two ways to run the command line. Most tests run it in this process through `main(argv, io)`
// (runMain): the sources as they are, no build, no process start. A few run the built CLI as a
// subprocess (runCli, startCli) where only a process will do: signals, SIGKILL, closed pipes, a
// terminal, hangs a test must survive, the installed package. The global setup rebuilds dist/
// whenever the sources changed, so those never run old code.

/** The repository root: holds bin/groupops.js, dist/ and the shipped groups/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built CLI's entry point. */
export const CLI_BIN = join(REPO_ROOT, 'bin', 'groupops.js');

export interface CliResult {
  /** The exit status, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a command run in-process printed, and its exit status. */
export interface MainRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MainOptions {
  /** The folder the command runs in (its repository root). */
  readonly cwd: string;
  /** Variables on top of the same minimal environment a subprocess gets; nothing else is inherited. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The snapshot's file system (e.g. one that injects faults); the real one by default. */
  readonly fileSystem?: FileSystem;
}

/** Runs the command line in this process, as `groupops ...args` in `cwd`, capturing what it writes (no terminal). */
export async function runMain(args: readonly string[], options: MainOptions): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += textOf(s)), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env: childEnvironment(options.env),
    cwd: options.cwd,
    ...(options.fileSystem ? { fileSystem: options.fileSystem } : {}),
  };
  const code = await main(['node', 'groupops', ...args], io);
  return { code, stdout, stderr };
}

export interface CliOptions {
  /** The folder the CLI runs in (its repository root). */
  readonly cwd: string;
  /** Variables on top of the minimal environment of childEnvironment; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  readonly input?: string | Uint8Array;
  /** A run still going after this long is killed and the call rejects (default 30 s). */
  readonly timeoutMs?: number;
}

/** A CLI process still running: its output so far, a way to wait for output, signal it and stop it. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the stream's whole output so far satisfies `test`; rejects after `timeoutMs` (default 20 s) or if the process ends first. */
  waitFor(test: RegExp | ((output: string) => boolean), options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<string>;
  /** Sends a signal (e.g. SIGINT for Ctrl-C). */
  signal(signal: NodeJS.Signals): void;
  /** Settles when the process has exited. */
  readonly done: Promise<CliResult>;
  /** Kills the process if it still runs and waits for it: for afterEach. */
  stop(): Promise<void>;
}

function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built: the global setup (test/global-setup.ts) builds it before the tests; run `npm run build`');
  }
}

/**
 * The environment a command gets in a test: PATH, HOME, TZ=UTC and the test file's own TMPDIR,
 * plus `extra` (`undefined` removes one). Nothing else is inherited, so no token or CI variable
 * of the machine leaks into a test.
 */
export function childEnvironment(extra?: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', TMPDIR: process.env.TMPDIR ?? '' };
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts the built CLI (`node bin/groupops.js ...args`) as a subprocess. */
export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: childEnvironment(options.env),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const onData = (stream: 'stdout' | 'stderr') => (chunk: string) => {
    out[stream] += chunk;
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', onData('stdout'));
  child.stderr!.setEncoding('utf8').on('data', onData('stderr'));
  let exited = false;
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      for (const w of [...waiters]) w();
      resolveDone({ code, signal, stdout: out.stdout, stderr: out.stderr });
    });
  });
  const waitFor: RunningCli['waitFor'] = (test, { stream = 'stdout', timeoutMs = 20_000 } = {}) =>
    new Promise((resolveWait, reject) => {
      const ok = (s: string): boolean => (typeof test === 'function' ? test(s) : test.test(s));
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      const check = (): void => {
        if (ok(out[stream])) finish(() => resolveWait(out[stream]));
        else if (exited) finish(() => reject(new Error(`the CLI exited before ${stream} matched ${String(test)}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${stream} to match ${String(test)}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`))), timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitFor,
    signal: (signal) => {
      if (!exited) child.kill(signal);
    },
    done,
    stop: async () => {
      if (!exited) child.kill('SIGKILL');
      await done.catch(() => undefined);
    },
  };
}

/** Runs the built CLI to completion; a run that hangs past the timeout is killed and rejects with its output. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const running = startCli(args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    running.child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  try {
    const result = await running.done;
    if (timedOut) throw new Error(`groupops ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
