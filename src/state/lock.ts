import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FileSystemError, UnsafePlanError } from '../errors/index.js';
import { makeFolderDurably } from './durable-folder.js';
import type { FileSystem, WritableFile } from './file-system.js';

/** Who holds a state lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** A held lock; release it in a `finally`. */
export interface StateLock {
  readonly path: string;
  release(): Promise<void>;
}

/** The lock file of a snapshot path. */
export function lockPath(statePath: string): string {
  return `${statePath}.lock`;
}

/**
 * Takes the snapshot's lock so two local applies cannot interleave their journals. The lock file
 * appears with its content in one step (written aside, then hard-linked into place), so a reader
 * never sees a half-written holder. A lock left by a dead process on this host (a kill) is taken
 * over; a live holder is a refusal that says how to proceed. Folders made for the lock (a first
 * apply's `.groupops/`) are removed on release if nothing else was written in them: an apply that
 * fails before anything is recorded leaves the work tree as it was.
 */
export async function acquireStateLock(fs: FileSystem, statePath: string, displayPath: string, started: Date): Promise<StateLock> {
  const path = lockPath(statePath);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: started.toISOString() };
  const aside = `${path}.${process.pid}.tmp`;
  const holderText = Buffer.from(`${JSON.stringify(me)}\n`, 'utf8');
  const created = await writeAside(fs, aside, holderText);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await tryCreate(fs, aside, path, holderText)) {
        await sweepDeadTemps(fs, statePath);
        const release = async (): Promise<void> => {
          await fs.remove(path);
          if (created !== undefined) await removeEmptyFolders(fs, dirname(path), created);
        };
        return { path, release };
      }
      const holder = await readHolder(fs, path);
      if (holder === undefined) continue; // released between our attempt and the read
      if (!isStale(holder)) throw busy(holder, lockPath(displayPath));
      // Re-read right before removing, so a lock a live process just took over is left alone.
      const again = await readHolder(fs, path);
      if (again && again.pid === holder.pid && again.host === holder.host && again.started === holder.started) await fs.remove(path);
    }
    throw new UnsafePlanError(`refusing to apply: could not take ${lockPath(displayPath)}: other applies keep taking it.`, 'Wait for them to finish, then run again.');
  } finally {
    await fs.remove(aside);
  }
}

/**
 * Writes the holder file aside, making its folder first; returns the topmost folder this made
 * (undefined: it existed). Tried twice: another apply releasing its lock may remove a folder it
 * made between our mkdir and our write.
 */
async function writeAside(fs: FileSystem, aside: string, text: Uint8Array): Promise<string | undefined> {
  let created: string | undefined;
  for (let attempt = 0; ; attempt++) {
    // Made durable here, as the snapshot's folder: the journal written in it later relies on that.
    const made = await makeFolderDurably(fs, dirname(aside));
    created ??= made;
    try {
      await writeWhole(await fs.create(aside), text);
      return created;
    } catch (err) {
      if (!(err instanceof FileSystemError && err.errno === 'ENOENT') || attempt > 0) throw err;
    }
  }
}

/**
 * Writes a whole (small) file, synced, and closes it. Synced because the journal's folder sync makes
 * the lock's name durable too: a crash must leave a lock naming its (then dead) holder, which the
 * next apply takes over, not an empty one it would refuse as held by an unknown process.
 */
async function writeWhole(file: WritableFile, text: Uint8Array): Promise<void> {
  try {
    await file.write([text]);
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
  await file.close();
}

/** Removes `dir` and its parents up to `top` while they are empty; a folder with anything in it stays. */
async function removeEmptyFolders(fs: FileSystem, dir: string, top: string): Promise<void> {
  for (let folder = dir; ; folder = dirname(folder)) {
    if ((await fs.removeFolder(folder)) === 'not-empty') return;
    if (folder === top || dirname(folder) === folder) return;
  }
}

async function tryCreate(fs: FileSystem, aside: string, path: string, text: Uint8Array): Promise<boolean> {
  const linked = await fs.link(aside, path);
  if (linked !== 'unsupported') return linked === 'linked';
  // File systems without hard links: exclusive create, then the content.
  const file = await fs.createExclusive(path);
  if (!file) return false;
  await writeWhole(file, text);
  return true;
}

async function readHolder(fs: FileSystem, path: string): Promise<LockHolder | undefined> {
  const bytes = await fs.readFile(path);
  if (bytes === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.started === 'string') return value as LockHolder;
  } catch {
    // Falls through: an unreadable holder is reported as such below.
  }
  return { pid: -1, host: 'unknown', started: 'unknown' };
}

/** A holder on this host whose process is gone (or is this very process id, reused after a kill). */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname() || holder.pid <= 0) return false;
  return holder.pid === process.pid || !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busy(holder: LockHolder, display: string): UnsafePlanError {
  const who = holder.pid > 0 ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : 'an unknown process';
  return new UnsafePlanError(`refusing to apply: another apply is running (${who}) and holds ${display}.`, `Wait for it to finish. If no apply is running, delete ${display} and run again.`);
}

/** Temporary files (`<name>.<pid>.tmp`) next to the snapshot left by killed processes of this host. */
async function sweepDeadTemps(fs: FileSystem, statePath: string): Promise<void> {
  const dir = dirname(statePath);
  const prefixes = [basename(statePath), basename(lockPath(statePath))];
  for (const name of await fs.list(dir)) {
    const m = /^(.*)\.(\d+)\.tmp$/.exec(name);
    if (!m || !prefixes.includes(m[1]!)) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !isAlive(pid)) await fs.remove(join(dir, name));
  }
}
