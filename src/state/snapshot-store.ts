import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { withPendingJournal, type SnapshotRead } from './journal-read.js';
import { renderSnapshotChunks, type Snapshot } from './snapshot-format.js';
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

/**
 * Reads the snapshot file alone. A missing file means nothing was applied yet; anything unreadable
 * or invalid throws InvalidInputError (never treated as empty, which would re-add or mass-delete).
 */
export async function readSnapshotFile(path: string, displayPath = path): Promise<{ snapshot: Snapshot; text: string | undefined }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { snapshot: EMPTY_SNAPSHOT, text: undefined };
    if (code === 'EISDIR') {
      throw new InvalidInputError([{ file: displayPath, line: 1, column: 1, message: 'this is a folder, not a snapshot file: --state names the file, e.g. .groupops/snapshot.json' }], 'the snapshot cannot be read');
    }
    throw err;
  }
  // Decoded strictly: a damaged byte must not quietly become U+FFFD inside an identity a delete sends.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidInputError([{ file: displayPath, line: 1, column: 1, message: `the snapshot is not valid UTF-8; restore it from git (git checkout -- ${displayPath})` }], 'the snapshot cannot be read');
  }
  const parsed = parseSnapshot(displayPath, text);
  if (!parsed.ok) throw new InvalidInputError(parsed.issues, 'the snapshot cannot be read');
  return { snapshot: parsed.snapshot, text };
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
