import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { textOf } from './text-of.js';

/** What a command run in-process printed, and its exit status. */
export interface MainRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the command line in-process (no build needed) in `cwd`, with exactly the environment
 * `env` (nothing inherited: no CI variable of the machine leaks in).
 */
export async function runMain(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += textOf(s)), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env,
    cwd,
  };
  const code = await main(['node', 'groupops', ...args], io);
  return { code, stdout, stderr };
}
