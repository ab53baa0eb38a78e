import type { FileSystem, WritableFile } from '../../src/state/file-system.js';
import { toFileSystemError, type FsOperation } from '../../src/state/fs-error.js';

/** A call to fail, and how. */
export interface Fault {
  /** The port's call (datasync counts as `sync`, createExclusive as `create`, readPieces as `read`). */
  readonly operation: FsOperation;
  /** Which paths it fails on. */
  readonly path: RegExp;
  /** The system's error code to fail with, e.g. `ENOSPC`. */
  readonly errno: string;
  /** Fail only the n-th matching call (1-based); by default every one. */
  readonly nth?: number;
}

/**
 * Wraps a FileSystem (the real one, or one in memory) and fails the calls `faults` name with the
 * error the real adapter would give for that system error code: the same translation, so what a
 * user sees for a full disk is what a test sees.
 */
export class FaultyFileSystem implements FileSystem {
  /** The faults that fired, as "operation path errno". */
  readonly fired: string[] = [];
  private readonly seen = new Map<Fault, number>();

  constructor(
    private readonly inner: FileSystem,
    private readonly faults: readonly Fault[],
    private readonly displayRoot?: string,
  ) {}

  readFile(path: string): Promise<Uint8Array | undefined> {
    return this.guard('read', path, () => this.inner.readFile(path));
  }

  readPieces(path: string, take: (piece: Uint8Array) => void): Promise<boolean> {
    return this.guard('read', path, () => this.inner.readPieces(path, take));
  }

  stamp(path: string): Promise<string | undefined> {
    return this.guard('stat', path, () => this.inner.stamp(path));
  }

  create(path: string): Promise<WritableFile> {
    return this.guard('create', path, async () => this.wrap(await this.inner.create(path), path));
  }

  createExclusive(path: string): Promise<WritableFile | undefined> {
    return this.guard('create', path, async () => {
      const file = await this.inner.createExclusive(path);
      return file && this.wrap(file, path);
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.guard('rename', from, () => this.inner.rename(from, to), to);
  }

  link(from: string, to: string): Promise<'linked' | 'exists' | 'unsupported'> {
    return this.guard('link', to, () => this.inner.link(from, to));
  }

  remove(path: string): Promise<boolean> {
    return this.guard('remove', path, () => this.inner.remove(path));
  }

  makeFolder(path: string): Promise<string | undefined> {
    return this.guard('make-folder', path, () => this.inner.makeFolder(path));
  }

  removeFolder(path: string): Promise<'removed' | 'not-empty' | 'absent'> {
    return this.guard('remove-folder', path, () => this.inner.removeFolder(path));
  }

  list(path: string): Promise<string[]> {
    return this.guard('list', path, () => this.inner.list(path));
  }

  syncFolder(path: string): Promise<void> {
    return this.guard('sync-folder', path, () => this.inner.syncFolder(path));
  }

  private wrap(file: WritableFile, path: string): WritableFile {
    return {
      write: (pieces) => this.guard('write', path, () => file.write(pieces)),
      sync: () => this.guard('sync', path, () => file.sync()),
      datasync: () => this.guard('sync', path, () => file.datasync()),
      close: () => this.guard('close', path, () => file.close()),
    };
  }

  private async guard<T>(operation: FsOperation, path: string, call: () => Promise<T>, to?: string): Promise<T> {
    for (const fault of this.faults) {
      if (fault.operation !== operation || !fault.path.test(path)) continue;
      const n = (this.seen.get(fault) ?? 0) + 1;
      this.seen.set(fault, n);
      if (fault.nth !== undefined && fault.nth !== n) continue;
      this.fired.push(`${operation} ${path} ${fault.errno}`);
      throw toFileSystemError(errnoError(fault.errno), operation, path, this.displayRoot, to);
    }
    return call();
  }
}

/** An error as Node's file-system calls throw it: `errnoError('ENOSPC')`. */
export function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}
