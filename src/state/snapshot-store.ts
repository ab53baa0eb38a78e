import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { makeFolderDurably } from './durable-folder.js';
import type { FileSystem } from './file-system.js';
import { withPendingJournal, type SnapshotRead } from './journal-read.js';
import { renderSnapshotChunks, type Snapshot } from './snapshot-format.js';
import { readCanonicalSnapshot } from './snapshot-lines.js';
import { parseSnapshot } from './snapshot-parse.js';

/** Where the snapshot lives unless `--state` or the config says otherwise. */
export const DEFAULT_STATE_PATH = '.groupops/snapshot.json';

/** The snapshot of nothing applied yet. */
export const EMPTY_SNAPSHOT: Snapshot = { applied: new Map(), lastApply: null };

/**
 * Reads the snapshot with its pending apply journal folded in (see journal-read.ts), so a plan
 * after an interrupted apply sees exactly what the API acknowledged. Writes nothing.
 */
export async function readSnapshot(fs: FileSystem, path: string, displayPath = path): Promise<SnapshotRead> {
  return withPendingJournal(fs, path, displayPath, await readSnapshotFile(fs, path, displayPath));
}

/** A snapshot file as read: the snapshot, and the digest of its text (null: no snapshot file). */
export interface SnapshotFile {
  readonly snapshot: Snapshot;
  /** snapshotDigest of the file's text: what ties an apply journal to the snapshot it started from. */
  readonly digest: string | null;
}

/**
 * Reads the snapshot file alone. A missing file means nothing was applied yet; anything unreadable
 * or invalid throws InvalidInputError (never treated as empty, which would re-add or mass-delete).
 * The layout groupops writes is read line by line from the bytes, so the file's text is never held
 * whole; anything else is decoded and read whole (see parseSnapshot).
 */
export async function readSnapshotFile(fs: FileSystem, path: string, displayPath = path): Promise<SnapshotFile> {
  return snapshotFileOf(await fs.readFile(path), displayPath);
}

/** readSnapshot, for the snapshot file's bytes already read (undefined: no snapshot file). */
export async function readSnapshotOf(fs: FileSystem, path: string, displayPath: string, read: Uint8Array | undefined): Promise<SnapshotRead> {
  return withPendingJournal(fs, path, displayPath, snapshotFileOf(read, displayPath));
}

/** readSnapshotFile, for the bytes read (undefined: no snapshot file). */
function snapshotFileOf(read: Uint8Array | undefined, displayPath: string): SnapshotFile {
  if (read === undefined) return { snapshot: EMPTY_SNAPSHOT, digest: null };
  const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
  // Checked strictly: a damaged byte must not quietly become U+FFFD inside an identity a delete sends.
  if (!isUtf8(bytes)) {
    throw new InvalidInputError(
      [{ file: displayPath, line: 1, column: 1, message: `the snapshot is not valid UTF-8; restore it from git (git checkout -- ${displayPath})` }],
      'the snapshot cannot be read',
    );
  }
  // The text a UTF-8 decoder gives has no byte-order mark; its digest is that of the bytes after one.
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const digest = createHash('sha256').update(body).digest('hex');
  const canonical = readCanonicalSnapshot(body);
  if (canonical) return { snapshot: canonical, digest };
  const parsed = parseSnapshot(displayPath, body.toString('utf8'));
  if (!parsed.ok) throw new InvalidInputError(parsed.issues, 'the snapshot cannot be read');
  return { snapshot: parsed.snapshot, digest };
}

/** What writing a snapshot produced. */
export interface SnapshotWritten {
  /** snapshotDigest of the text written (what a journal started against it records as its base). */
  readonly digest: string;
}

/**
 * Writes the snapshot atomically: a temporary file next to it, synced, renamed over the old one,
 * and the folder synced, so that readers and a crash see the old snapshot or the new one, never a
 * torn one. The text is rendered and written piece by piece, so a million memberships never exist
 * as one string.
 */
export async function writeSnapshot(fs: FileSystem, path: string, snapshot: Snapshot): Promise<SnapshotWritten> {
  const hash = createHash('sha256');
  await writeFileAtomic(
    fs,
    path,
    (function* () {
      for (const chunk of renderSnapshotChunks(snapshot)) {
        hash.update(chunk, 'utf8');
        yield chunk;
      }
    })(),
  );
  return { digest: hash.digest('hex') };
}

/** The temporary file a write of `path` by this process goes through (swept by the lock if a kill leaves it). */
function temporaryPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** Replaces a file atomically and durably (readers see the old or the new content, never a torn one). */
async function writeFileAtomic(fs: FileSystem, path: string, text: string | Iterable<string>): Promise<void> {
  const folder = dirname(path);
  await makeFolderDurably(fs, folder);
  const tmp = temporaryPath(path);
  const file = await fs.create(tmp);
  try {
    for (const piece of typeof text === 'string' ? [text] : text) await file.write([Buffer.from(piece, 'utf8')]);
    // Synced before the rename: a crash after it must find the new content under the name, not an empty file.
    await file.sync();
    await file.close();
    await fs.rename(tmp, path);
  } catch (error) {
    // The old file is untouched. The failure is what gets reported: the half-written copy is closed
    // and removed if it can be (one that cannot is swept by the next apply's lock).
    await file.close().catch(() => undefined);
    await fs.remove(tmp).catch(() => undefined);
    throw error;
  }
  await fs.syncFolder(folder);
}
