import { dirname } from 'node:path';
import type { FileSystem, WritableFile } from '../../src/state/file-system.js';
import { toFileSystemError, type FsOperation } from '../../src/state/fs-error.js';
import { errnoError } from './faulty-file-system.js';

interface Inode {
  readonly id: number;
  /** What a reader sees now. */
  data: Buffer;
  /** What a crash keeps: the data as of the last sync. */
  durable: Buffer;
  version: number;
}

/** A name: a file (its inode) or a folder. */
type Entry = { readonly file: Inode } | 'folder';

/**
 * The FileSystem port in memory, modelling what a crash keeps, as POSIX promises it:
 * - a file's data survives once the file is synced (sync or datasync), not when written;
 * - a name created, renamed or removed survives once its folder is synced (and a folder's name
 *   once its parent is);
 * - emptying a file (create over an existing one) is taken to reach the disk at once, the worst case.
 * `crash()` gives the file system a machine would find after losing power now. Folders above
 * `root` exist and are durable. `onOperation` is called after every call, with the state it left,
 * so a test can crash at every step of an apply.
 */
export class MemoryFileSystem implements FileSystem {
  private readonly entries = new Map<string, Entry>();
  private readonly durableEntries = new Map<string, Entry>();
  private nextInode = 1;
  /** Calls made, in order, e.g. "sync /x/.groupops/snapshot.json.123.tmp". */
  readonly log: string[] = [];
  onOperation: ((operation: string, path: string) => void) | undefined;

  constructor(private readonly root: string) {}

  /** Puts a file in place durably, as if it had been there before (test set-up). */
  put(path: string, text: string): void {
    for (let folder = dirname(path); this.isBelowRoot(folder) && !this.entries.has(folder); folder = dirname(folder)) {
      this.entries.set(folder, 'folder');
      this.durableEntries.set(folder, 'folder');
    }
    const data = Buffer.from(text, 'utf8');
    const file = { file: { id: this.nextInode++, data, durable: data, version: 0 } };
    this.entries.set(path, file);
    this.durableEntries.set(path, file);
  }

  /** The text of a file as a reader sees it now; undefined when there is none. */
  text(path: string): string | undefined {
    const entry = this.entries.get(path);
    return entry === undefined || entry === 'folder' ? undefined : entry.file.data.toString('utf8');
  }

  /** Every file and folder there is now, sorted. */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  /**
   * The file system as a crash now would leave it: durable names, each file with its synced data.
   * A name in a folder whose own name is not durable is lost with it.
   */
  crash(): MemoryFileSystem {
    const after = new MemoryFileSystem(this.root);
    const copies = new Map<number, Inode>();
    const reachable = (path: string): boolean => {
      for (let folder = dirname(path); this.isBelowRoot(folder); folder = dirname(folder)) if (this.durableEntries.get(folder) !== 'folder') return false;
      return true;
    };
    for (const [path, entry] of this.durableEntries) {
      if (!reachable(path)) continue;
      if (entry === 'folder') {
        after.entries.set(path, 'folder');
        after.durableEntries.set(path, 'folder');
        continue;
      }
      let copy = copies.get(entry.file.id);
      if (!copy) copies.set(entry.file.id, (copy = { id: entry.file.id, data: entry.file.durable, durable: entry.file.durable, version: 0 }));
      after.entries.set(path, { file: copy });
      after.durableEntries.set(path, { file: copy });
    }
    after.nextInode = this.nextInode;
    return after;
  }

  async readFile(path: string): Promise<Uint8Array | undefined> {
    return this.readable(path, 'read')?.data;
  }

  async readPieces(path: string, take: (piece: Uint8Array) => void): Promise<boolean> {
    const file = this.readable(path, 'read');
    if (file) take(file.data);
    return file !== undefined;
  }

  async stamp(path: string): Promise<string | undefined> {
    const file = this.readable(path, 'stat');
    return file && `${file.data.length}:${file.version}:${file.id}`;
  }

  async create(path: string): Promise<WritableFile> {
    return (await this.open(path, false))!;
  }

  async createExclusive(path: string): Promise<WritableFile | undefined> {
    return this.open(path, true);
  }

  async rename(from: string, to: string): Promise<void> {
    const entry = this.entries.get(from);
    if (entry === undefined) throw this.fail('ENOENT', 'rename', from);
    if (entry === 'folder' || this.entries.get(to) === 'folder') throw this.fail('EISDIR', 'rename', from);
    this.needFolder(dirname(to), 'rename', to);
    this.entries.set(to, entry);
    this.entries.delete(from);
    this.done('rename', `${from} -> ${to}`);
  }

  async link(from: string, to: string): Promise<'linked' | 'exists' | 'unsupported'> {
    const entry = this.entries.get(from);
    if (entry === undefined || entry === 'folder') throw this.fail('ENOENT', 'link', from);
    this.needFolder(dirname(to), 'link', to);
    if (this.entries.has(to)) return 'exists';
    this.entries.set(to, entry);
    this.done('link', to);
    return 'linked';
  }

  async remove(path: string): Promise<boolean> {
    const entry = this.entries.get(path);
    if (entry === undefined) return false;
    if (entry === 'folder') throw this.fail('EISDIR', 'remove', path);
    this.entries.delete(path);
    this.done('remove', path);
    return true;
  }

  async makeFolder(path: string): Promise<string | undefined> {
    let top: string | undefined;
    for (let folder = path; this.isBelowRoot(folder) && this.entries.get(folder) !== 'folder'; folder = dirname(folder)) {
      if (this.entries.has(folder)) throw this.fail('ENOTDIR', 'make-folder', folder);
      top = folder;
    }
    for (let folder = path; top !== undefined && this.isBelowRoot(folder) && !this.entries.has(folder); folder = dirname(folder)) this.entries.set(folder, 'folder');
    this.done('make-folder', path);
    return top;
  }

  async removeFolder(path: string): Promise<'removed' | 'not-empty' | 'absent'> {
    if (this.entries.get(path) !== 'folder') return 'absent';
    if (this.names(path).length > 0) return 'not-empty';
    this.entries.delete(path);
    this.done('remove-folder', path);
    return 'removed';
  }

  async list(path: string): Promise<string[]> {
    if (this.isBelowRoot(path) && this.entries.get(path) !== 'folder') throw this.fail('ENOENT', 'list', path);
    return this.names(path);
  }

  async syncFolder(path: string): Promise<void> {
    for (const [p, entry] of this.entries) if (dirname(p) === path) this.durableEntries.set(p, entry);
    for (const p of [...this.durableEntries.keys()]) if (dirname(p) === path && !this.entries.has(p)) this.durableEntries.delete(p);
    this.done('sync-folder', path);
  }

  private names(folder: string): string[] {
    return [...this.entries.keys()].filter((p) => dirname(p) === folder).map((p) => p.slice(folder.length + 1));
  }

  private async open(path: string, exclusive: boolean): Promise<WritableFile | undefined> {
    this.needFolder(dirname(path), 'create', path);
    const entry = this.entries.get(path);
    if (entry === 'folder') throw this.fail('EISDIR', 'create', path);
    if (entry !== undefined && exclusive) return undefined;
    let file: Inode;
    if (entry === undefined) {
      file = { id: this.nextInode++, data: Buffer.alloc(0), durable: Buffer.alloc(0), version: 0 };
      this.entries.set(path, { file });
    } else {
      file = entry.file;
      // O_TRUNC: the worst case is that the emptying reaches the disk before any new data does.
      file.data = Buffer.alloc(0);
      file.durable = file.data;
      file.version++;
    }
    this.done('create', path);
    let open = true;
    const check = (operation: FsOperation): void => {
      if (!open) throw this.fail('EBADF', operation, path);
    };
    return {
      write: async (pieces) => {
        check('write');
        file.data = Buffer.concat([file.data, ...pieces]);
        file.version++;
        this.done('write', path);
      },
      sync: async () => {
        check('sync');
        file.durable = file.data;
        this.done('sync', path);
      },
      datasync: async () => {
        check('sync');
        file.durable = file.data;
        this.done('datasync', path);
      },
      close: async () => {
        check('close');
        open = false;
        this.done('close', path);
      },
    };
  }

  private readable(path: string, operation: FsOperation): Inode | undefined {
    const entry = this.entries.get(path);
    if (entry === 'folder') throw this.fail('EISDIR', operation, path);
    return entry?.file;
  }

  private needFolder(folder: string, operation: FsOperation, path: string): void {
    if (this.isBelowRoot(folder) && this.entries.get(folder) !== 'folder') throw this.fail(this.entries.has(folder) ? 'ENOTDIR' : 'ENOENT', operation, path);
  }

  /** Folders at or above the root exist (they are the real machine's). */
  private isBelowRoot(path: string): boolean {
    return path.startsWith(`${this.root}/`);
  }

  private fail(code: string, operation: FsOperation, path: string): unknown {
    return toFileSystemError(errnoError(code), operation, path, this.root);
  }

  private done(operation: string, path: string): void {
    this.log.push(`${operation} ${path}`);
    this.onOperation?.(operation, path);
  }
}
