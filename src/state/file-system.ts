/**
 * The file system as the snapshot store, the apply journal and the lock use it: the handful of
 * calls they make, so that the use cases take it as a port. The real adapter is
 * node-file-system.ts; tests pass one that injects faults or models what a crash keeps.
 *
 * Every failure is a FileSystemError (errors/file-system-error.ts) naming the path and what went
 * wrong; conditions the callers expect (a file that does not exist, a lock file already there) are
 * results, not errors. A path to read that is not a regular file (a FIFO, a device: something a
 * pull request may plant) is refused unread, as invalid input. Paths are absolute.
 */
export interface FileSystem {
  /** The file's bytes; undefined when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Hands the file's bytes to `take` a piece at a time (memory stays flat); false when it does not exist. */
  readPieces(path: string, take: (piece: Uint8Array) => void): Promise<boolean>;
  /** What identifies a version of the file without reading it (size, times, inode); undefined when it does not exist. */
  stamp(path: string): Promise<string | undefined>;
  /** Creates the file, or empties it if it exists, for writing. */
  create(path: string): Promise<WritableFile>;
  /** Creates the file only if nothing is at the path yet; undefined when something is. */
  createExclusive(path: string): Promise<WritableFile | undefined>;
  /** Replaces `to` with `from` in one step (readers see the old file or the new one). Durable once the folder is synced. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Makes `to` a second name of the file `from` in one step: `exists` when something is at `to`
   * already; `unsupported` on file systems without hard links.
   */
  link(from: string, to: string): Promise<'linked' | 'exists' | 'unsupported'>;
  /** Removes a file; false when it did not exist. */
  remove(path: string): Promise<boolean>;
  /** Creates the folder and its missing parents; returns the topmost folder it created (undefined: it existed). */
  makeFolder(path: string): Promise<string | undefined>;
  /** Removes an empty folder: `not-empty` when something is in it, `absent` when it does not exist. */
  removeFolder(path: string): Promise<'removed' | 'not-empty' | 'absent'>;
  /** The names in a folder. */
  list(path: string): Promise<string[]>;
  /**
   * Makes the folder's entries durable: a file created, renamed or removed in it survives a crash
   * only once its folder is synced (POSIX). Where a folder cannot be synced (Windows), does nothing.
   */
  syncFolder(path: string): Promise<void>;
}

/** A file open for writing: each write continues where the last one ended. */
export interface WritableFile {
  /** Writes every byte of every piece, in order (a short write is continued). */
  write(pieces: readonly Uint8Array[]): Promise<void>;
  /** fsync: the file's data and metadata are on disk. */
  sync(): Promise<void>;
  /** fdatasync: its data (and size) are on disk, which is what an appended line needs. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}
