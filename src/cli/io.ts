import { EventEmitter, once } from 'node:events';

/** What the command line writes to and reads from; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return Boolean(io.stdout.isTTY) && (noColor === undefined || noColor === '');
}

/**
 * Writes pieces one after the other, waiting for 'drain' whenever the stream asks to: stdout into a
 * pipe is asynchronous, and a reader slower than a million changes are rendered would otherwise
 * leave them all queued in memory.
 */
export async function writePieces(stream: CliIo['stdout'], pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (stream.write(piece) === false && stream instanceof EventEmitter) await once(stream, 'drain');
  }
}
