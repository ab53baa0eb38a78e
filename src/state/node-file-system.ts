import { constants, type Stats } from 'node:fs';
import { link, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../errors/index.js';
import type { FileSystem, WritableFile } from './file-system.js';
import { displayPath, toFileSystemError, type FsOperation } from './fs-error.js';

/** Options of the real file system. */
export interface NodeFileSystemOptions {
  /** Paths inside this folder (the work tree) are shown relative to it in messages. */
  readonly displayRoot?: string;
}

/**
 * The FileSystem port on node:fs. Each call's failure is translated here, once, into a
 * FileSystemError (fs-error.ts); the results callers expect (no such file, a lock already taken)
 * are returned instead.
 */
export function nodeFileSystem(options: NodeFileSystemOptions = {}): FileSystem {
  const root = options.displayRoot;
  const call = async <T>(operation: FsOperation, path: string, work: () => Promise<T>, to?: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toFileSystemError(error, operation, path, root, to);
    }
  };
  /** Like call, with the error codes that mean "not there" (or another expected state) answered by `absent`. */
  const unless = async <T>(codes: readonly string[], absent: T, operation: FsOperation, path: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (codes.includes((error as NodeJS.ErrnoException).code ?? '')) return absent;
      throw toFileSystemError(error, operation, path, root);
    }
  };
  const writable = (handle: FileHandle, path: string): WritableFile => ({
    write: (pieces) => call('write', path, () => writeAll(handle, pieces)),
    sync: () => call('sync', path, () => handle.sync()),
    datasync: () => call('sync', path, () => handle.datasync()),
    close: () => call('close', path, () => handle.close()),
  });
  /**
   * Opens a file to read only if it is a regular file: a pull request could plant a FIFO (a read
   * that never ends) or a symlink to /dev/zero (one that never stops) where the snapshot or its
   * journal would be. Opened without blocking, then checked, so nothing is read from anything else.
   */
  const openRegular = async (path: string): Promise<FileHandle> => {
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      if (!stats.isFile()) throw notRegular(stats, displayPath(path, root));
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  };
  const readRegular = async <T>(path: string, absent: T, read: (handle: FileHandle) => Promise<T>): Promise<T> => {
    let handle: FileHandle;
    try {
      handle = await openRegular(path);
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return absent;
      throw toFileSystemError(error, 'read', path, root);
    }
    try {
      return await call('read', path, () => read(handle));
    } finally {
      await handle.close();
    }
  };
  return {
    readFile: (path) => readRegular(path, undefined, (handle) => handle.readFile()),
    readPieces: (path, take) =>
      readRegular(path, false, async (handle) => {
        for await (const piece of handle.createReadStream({ autoClose: false, start: 0 })) take(piece as Buffer);
        return true;
      }),
    stamp: (path) =>
      unless(['ENOENT'], undefined, 'stat', path, async () => {
        const s = await stat(path, { bigint: true });
        return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
      }),
    create: (path) => call('create', path, async () => writable(await open(path, 'w'), path)),
    createExclusive: (path) => unless(['EEXIST'], undefined, 'create', path, async () => writable(await open(path, 'wx'), path)),
    rename: (from, to) => call('rename', from, () => rename(from, to), to),
    link: async (from, to) => {
      try {
        await link(from, to);
        return 'linked';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return 'exists';
        // File systems without hard links (some network and FAT ones) say so in one of these ways.
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return 'unsupported';
        throw toFileSystemError(error, 'link', to, root);
      }
    },
    remove: (path) => unless(['ENOENT'], false, 'remove', path, async () => (await unlink(path), true)),
    makeFolder: (path) => call('make-folder', path, () => mkdir(path, { recursive: true })),
    removeFolder: async (path) => {
      try {
        await rmdir(path);
        return 'removed';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'not-empty';
        if (code === 'ENOENT') return 'absent';
        throw toFileSystemError(error, 'remove-folder', path, root);
      }
    },
    list: (path) => call('list', path, () => readdir(path)),
    syncFolder: (path) => call('sync-folder', path, () => syncFolder(path)),
  };
}

/** Writes every piece at the file's position, resuming after a short write (writev may write less than asked). */
async function writeAll(handle: FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    // A write that takes nothing and reports no error would loop for ever: it is the disk being full.
    if (bytesWritten === 0) throw Object.assign(new Error('the file took no bytes'), { code: 'ENOSPC' });
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) {
      bytesWritten -= rest[0]!.length;
      rest = rest.slice(1);
    }
    if (rest.length > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)];
  }
}

/**
 * fsync of a folder. Some platforms (Windows) cannot open a folder for syncing; there a create or
 * rename is as durable as the system makes it, which is all that can be had.
 */
async function syncFolder(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

/** A file that is not one to read: invalid input, named by what it is. */
function notRegular(stats: Stats, shown: string): InvalidInputError {
  const what = stats.isFIFO() ? 'a named pipe (FIFO)' : stats.isSocket() ? 'a socket' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'a special file';
  return new InvalidInputError([{ file: shown, line: 1, column: 1, message: `this is ${what}, not a regular file: remove it` }], 'the file cannot be read');
}
