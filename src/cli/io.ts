import { EventEmitter, once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { FileSystem } from '../state/file-system.js';
import { nodeFileSystem } from '../state/node-file-system.js';

/** What the command line writes to and reads from; tests pass their own. */
export interface CliIo {
  /** `settle`, when there is one: waits until what was written is out; resolves to the error that stopped the output, if any. */
  readonly stdout: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean; columns?: number; settle?(): Promise<Error | undefined> };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where `apply` reads the answer to its confirmation; absent: there is no terminal to ask on. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** `--no-color` was given (main sets it once the command line is parsed). */
  readonly noColor?: boolean;
  /** The file system of the snapshot, its journal and its lock; the real one unless a test passes its own (e.g. one that injects faults). */
  readonly fileSystem?: FileSystem;
}

/** The snapshot's file system a command uses: the one `io` carries, else the real one (paths shown relative to `io.cwd`). */
export function stateFileSystem(io: CliIo): FileSystem {
  return io.fileSystem ?? nodeFileSystem({ displayRoot: io.cwd });
}

/** The real process streams (stdout as an OutputGoneSafe: `groupops plan | head` is no error). */
export function processIo(): CliIo {
  // stderr stays the real stream (the progress bar drives it through readline); its writes are
  // never waited on, and there is nowhere left to report its own failure, so that is ignored.
  process.stderr.on('error', () => undefined);
  return {
    stdout: new OutputGoneSafe(process.stdout),
    stderr: process.stderr,
    // Only a terminal is read from (apply's question): stdin that is a pipe left open by whoever
    // started groupops is never opened, so it cannot keep the process waiting.
    get stdin() {
      return isatty(0) ? process.stdin : undefined;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * An output stream whose reader may go away, as `head` does after ten lines (EPIPE): from then on
 * what is written is dropped, and whoever waits for 'drain' goes on, so the command still finishes
 * its work (an apply still records its snapshot) and exits with its own status, like other Unix
 * tools writing to a closed pipe; without it, the pipe's EPIPE surfaced as an internal error.
 * Any other failure (a full disk under `> plan.json`) also stops the output without stopping the
 * work, and `settle` hands it over, so that the command ends in an error instead of a cut output.
 */
export class OutputGoneSafe extends EventEmitter {
  #gone = false;
  #failure: Error | undefined;
  readonly #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    super();
    this.#stream = stream;
    stream.on('drain', () => this.emit('drain'));
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && !this.#gone) this.#failure = err;
      this.#gone = true;
      this.emit('drain');
    });
  }

  get isTTY(): boolean {
    return Boolean(this.#stream.isTTY);
  }

  get columns(): number | undefined {
    return this.#stream.columns;
  }

  /** Writes, or drops the chunk once the output is gone (true: nothing to wait for). */
  write(chunk: string | Uint8Array): boolean {
    return this.#gone || this.#stream.write(chunk);
  }

  /** Waits until everything written is out (or the output is gone); the failure that stopped it, EPIPE aside. */
  async settle(): Promise<Error | undefined> {
    if (!this.#gone) await new Promise<void>((resolve) => this.#stream.write('', () => resolve()));
    // An error passed to the write callback is emitted as 'error' right after it: let it arrive.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.#failure;
  }
}

/**
 * Whether to colour what goes to `stream`, in this order: `--no-color` turns colours off; a
 * non-empty FORCE_COLOR turns them on (off for `0` or `false`), also when not on a terminal, as Node
 * itself does; a non-empty NO_COLOR (https://no-color.org) or TERM=dumb turns them off; otherwise
 * colours go to a terminal only.
 */
export function useColor(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  if (io.noColor === true) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  const noColor = io.env.NO_COLOR;
  if ((noColor !== undefined && noColor !== '') || io.env.TERM === 'dumb') return false;
  return Boolean(io[stream].isTTY);
}

/**
 * Writes pieces one after the other, waiting for 'drain' whenever the stream asks to: stdout into a
 * pipe is asynchronous, and a reader slower than a million changes are rendered would otherwise
 * leave them all queued in memory.
 */
export async function writePieces(stream: CliIo['stdout'], pieces: Iterable<string | Uint8Array>): Promise<void> {
  for (const piece of pieces) {
    if (stream.write(piece) === false && stream instanceof EventEmitter) await once(stream, 'drain');
  }
}

/**
 * Writes pieces to a file (created or replaced) as they come: a JSON plan of a million changes is
 * written as it is rendered (in chunks of a MiB), never whole in memory. Each piece is written
 * before the next is asked for, so the pieces may share buffers (renderPlanChunks' reuseChunks).
 * Synchronously: an awaited write per chunk let the event loop turn 175 times during a
 * million-change plan, and V8 ran the incremental marking that planning had started then (0.3 s
 * on the main thread in some runs). Rendered and written, 1M changes, alternated runs: awaited
 * 0.94–1.10 s (4 runs) and 0.74–0.87 s (6), synchronous 0.73–0.82 s and 0.73–0.79 s.
 */
export function writeFilePieces(path: string, pieces: Iterable<string | Uint8Array>): void {
  const fd = openSync(path, 'w');
  try {
    for (const piece of pieces) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      // writeSync may write less than it is given.
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    }
  } finally {
    closeSync(fd);
  }
}
