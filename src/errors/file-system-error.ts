import { GroupopsError } from './groupops-error.js';

/** What a FileSystemError is built from (see state/fs-error.ts, which builds them from Node's errors). */
export interface FileSystemErrorInit {
  /** The system's error code, e.g. `ENOSPC`, `EROFS`, `EACCES`. */
  readonly errno: string;
  /** The file or folder, as shown to users (relative to the work tree when inside it). */
  readonly path: string;
  /** What failed and why, in one line: `could not write .groupops/snapshot.json.123.tmp: the disk is full (ENOSPC)`. */
  readonly problem: string;
  /** What to do about it. */
  readonly advice: string;
  /** What the failure means for what was sent and recorded, when a use case knows (see withConsequence). */
  readonly consequence?: string;
}

/**
 * A file-system call on the snapshot, its journal or its lock that failed: a full disk, a read-only
 * file system, a permission, a folder where a file should be. Reported as what it is, with what to
 * do, never as an internal error; the command line exits 1 for it.
 */
export class FileSystemError extends GroupopsError {
  override readonly name = 'FileSystemError';
  readonly errno: string;
  readonly path: string;
  readonly problem: string;
  readonly advice: string;
  readonly consequence: string | undefined;

  constructor(init: FileSystemErrorInit, options?: { cause?: unknown }) {
    super('FILE_SYSTEM', [init.problem, init.consequence, init.advice].filter((line) => line !== undefined && line !== '').join('\n'), options);
    this.errno = init.errno;
    this.path = init.path;
    this.problem = init.problem;
    this.advice = init.advice;
    this.consequence = init.consequence;
  }

  /**
   * The same failure, saying what it means for the apply (e.g. that every acknowledged request is
   * in the synced journal): only the use case knows that, the adapter that translated the error does not.
   */
  withConsequence(consequence: string): FileSystemError {
    return new FileSystemError({ errno: this.errno, path: this.path, problem: this.problem, advice: this.advice, consequence }, { cause: this.cause });
  }
}
