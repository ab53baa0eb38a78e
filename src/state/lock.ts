import { hostname } from 'node:os';
import { link, mkdir, open, readdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UnsafePlanError } from '../errors/index.js';

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
export async function acquireStateLock(statePath: string, displayPath: string, started: Date): Promise<StateLock> {
  const path = lockPath(statePath);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: started.toISOString() };
  const aside = `${path}.${process.pid}.tmp`;
  const created = await writeAside(aside, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await tryCreate(aside, path)) {
        await sweepDeadTemps(statePath);
        const release = async (): Promise<void> => {
          await unlinkIfExists(path);
          if (created !== undefined) await removeEmptyFolders(dirname(path), created);
        };
        return { path, release };
      }
      const holder = await readHolder(path);
      if (holder === undefined) continue; // released between our attempt and the read
      if (!isStale(holder)) throw busy(holder, lockPath(displayPath));
      // Re-read right before removing, so a lock a live process just took over is left alone.
      const again = await readHolder(path);
      if (again && again.pid === holder.pid && again.host === holder.host && again.started === holder.started) await unlinkIfExists(path);
    }
    throw new UnsafePlanError(`refusing to apply: could not take ${lockPath(displayPath)}: other applies keep taking it.`, 'Wait for them to finish, then run again.');
  } finally {
    await unlinkIfExists(aside);
  }
}

/**
 * Writes the holder file aside, making its folder first; returns the topmost folder this made
 * (undefined: it existed). Tried twice: another apply releasing its lock may remove a folder it
 * made between our mkdir and our write.
 */
async function writeAside(aside: string, text: string): Promise<string | undefined> {
  let created: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const made = await mkdir(dirname(aside), { recursive: true });
    created ??= made;
    try {
      await writeFile(aside, text, 'utf8');
      return created;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw err;
    }
  }
}

/** Removes `dir` and its parents up to `top` while they are empty; a folder with anything in it stays. */
async function removeEmptyFolders(dir: string, top: string): Promise<void> {
  for (let folder = dir; ; folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return;
      if (code !== 'ENOENT') throw err;
    }
    if (folder === top || dirname(folder) === folder) return;
  }
}

async function tryCreate(aside: string, path: string): Promise<boolean> {
  try {
    await link(aside, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
  }
  // File systems without hard links: exclusive create, then the content.
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(await readFile(aside));
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
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
  return new UnsafePlanError(
    `refusing to apply: another apply is running (${who}) and holds ${display}.`,
    `Wait for it to finish. If no apply is running, delete ${display} and run again.`,
  );
}

/** Temporary files (`<name>.<pid>.tmp`) next to the snapshot left by killed processes of this host. */
async function sweepDeadTemps(statePath: string): Promise<void> {
  const dir = dirname(statePath);
  const prefixes = [basename(statePath), basename(lockPath(statePath))];
  for (const name of await readdir(dir)) {
    const m = /^(.*)\.(\d+)\.tmp$/.exec(name);
    if (!m || !prefixes.includes(m[1]!)) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !isAlive(pid)) await unlinkIfExists(join(dir, name));
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
