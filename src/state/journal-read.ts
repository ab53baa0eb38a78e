import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/index.js';
import type { FileSystem } from './file-system.js';
import { foldJournal } from './journal-fold.js';
import { journalPath, parseJournal, type Journal } from './journal.js';
import type { Snapshot } from './snapshot-format.js';

/** A journal left by an apply that did not finish folding it into the snapshot. */
export interface PendingJournal {
  /** The journal's path as shown to users. */
  readonly displayPath: string;
  readonly journal: Journal;
  /** False when the journal was written against other snapshot text (the snapshot was replaced since). */
  readonly baseMatches: boolean;
  /** True when the snapshot already holds it (a kill between the snapshot rename and the journal delete). */
  readonly stale: boolean;
}

/** The snapshot as read: folded with a pending journal, if any, and the digest of the file's text. */
export interface SnapshotRead {
  readonly snapshot: Snapshot;
  /** snapshotDigest of the snapshot file's text (null: no snapshot file). */
  readonly digest: string | null;
  readonly journal?: PendingJournal;
}

/** The digest that ties a journal to the snapshot text it was written against. */
export function snapshotDigest(text: string | undefined): string | null {
  return text === undefined ? null : createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads a file's text, or undefined when it does not exist. */
export async function readTextIfExists(fs: FileSystem, path: string): Promise<string | undefined> {
  const bytes = await fs.readFile(path);
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * Folds the snapshot's pending journal, so every reader sees exactly what the API acknowledged.
 * A journal written against other snapshot text (the snapshot was replaced, e.g. by git, after an
 * interrupted apply) is folded too: its requests were acknowledged, and forgetting a recorded
 * delete would leave a desired membership missing on the platform forever, while folding at worst
 * makes the next apply re-send an idempotent request. Callers warn about it (`baseMatches`).
 * Reads only: the snapshot file is rewritten by the next apply.
 */
export async function withPendingJournal(fs: FileSystem, statePath: string, displayPath: string, read: { snapshot: Snapshot; digest: string | null }): Promise<SnapshotRead> {
  const path = journalPath(statePath);
  const display = journalPath(displayPath);
  const text = await readTextIfExists(fs, path);
  if (text === undefined) return read;
  const parsed = parseJournal(display, text);
  if (!parsed.ok) throw new InvalidInputError(parsed.issues, 'the apply journal cannot be read');
  if (!parsed.journal) return read;
  const { header, records } = parsed.journal;
  const stale = read.snapshot.lastApply?.applyId === header.applyId;
  const pending: PendingJournal = { displayPath: display, journal: parsed.journal, baseMatches: header.base === read.digest, stale };
  if (stale || records.length === 0) return { ...read, journal: pending };
  return { snapshot: foldJournal(read.snapshot, header, records), digest: read.digest, journal: pending };
}

/** A warning for a journal folded onto a snapshot it was not written against; undefined when there is nothing to say. */
export function pendingJournalWarning(pending: PendingJournal | undefined, stateDisplayPath: string): string | undefined {
  if (!pending || pending.stale || pending.baseMatches || pending.journal.records.length === 0) return undefined;
  const n = pending.journal.records.length;
  return (
    `${pending.displayPath} records ${n} request${n === 1 ? '' : 's'} the API acknowledged during an interrupted apply started ` +
    `${pending.journal.header.started}, but ${stateDisplayPath} changed since (replaced by git?). They are folded into it, since the ` +
    'platform holds their effect. If the snapshot now comes from a newer apply, review the plan: memberships that apply removed may be recorded again.'
  );
}

/**
 * A digest of the snapshot file and its journal as they are on disk, to tell whether anything
 * changed them between planning and sending. Streams the files, so memory stays flat.
 */
export async function stateFingerprint(fs: FileSystem, statePath: string): Promise<string> {
  const hash = createHash('sha256');
  for (const path of [statePath, journalPath(statePath)]) {
    hash.update(`${path}\n`);
    const present = await fs.readPieces(path, (piece) => hash.update(piece));
    hash.update(present ? '\u0000present' : '\u0000absent');
  }
  return hash.digest('hex');
}
