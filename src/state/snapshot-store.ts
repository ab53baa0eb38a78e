import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { readInputFile } from '../load/input-file.js';
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
export async function readSnapshot(path: string, displayPath = path): Promise<SnapshotRead> {
  return withPendingJournal(path, displayPath, await readSnapshotFile(path, displayPath));
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
export async function readSnapshotFile(path: string, displayPath = path): Promise<SnapshotFile> {
  // Only a regular file: a pull request could make the snapshot a FIFO or a symlink to /dev/zero.
  const read = readInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
  if (!read.ok && read.reason === 'missing') return { snapshot: EMPTY_SNAPSHOT, digest: null };
  if (!read.ok) {
    const message = read.reason === 'folder' ? 'this is a folder, not a snapshot file: --state names the file, e.g. .groupops/snapshot.json' : `this ${read.message}`;
    throw new InvalidInputError([{ file: displayPath, line: 1, column: 1, message }], 'the snapshot cannot be read');
  }
  const bytes = read.bytes;
  // Checked strictly: a damaged byte must not quietly become U+FFFD inside an identity a delete sends.
  if (!isUtf8(bytes)) {
    throw new InvalidInputError([{ file: displayPath, line: 1, column: 1, message: `the snapshot is not valid UTF-8; restore it from git (git checkout -- ${displayPath})` }], 'the snapshot cannot be read');
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
 * Writes the snapshot atomically: a temporary file, fsync, then rename over the old one. The text
 * is rendered and written piece by piece, so a million memberships never exist as one string.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<SnapshotWritten> {
  const hash = createHash('sha256');
  await writeFileAtomic(path, function* () {
    for (const chunk of renderSnapshotChunks(snapshot)) {
      hash.update(chunk, 'utf8');
      yield chunk;
    }
  }());
  return { digest: hash.digest('hex') };
}

/** Replaces a file atomically (readers see the old or the new content, never a torn one). */
export async function writeFileAtomic(path: string, text: string | Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    // A handle's writeFile writes on from where the last write ended, all of its text.
    for (const piece of typeof text === 'string' ? [text] : text) await handle.writeFile(piece, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}
