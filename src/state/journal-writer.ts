import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PlannedBatch } from '../core/batches.js';
import { InternalError } from '../errors/index.js';
import { formatJournalHeader, formatJournalRecord, type JournalHeader, type RecordMeta } from './journal.js';
import { WIRE_RECORD_END, wireRecordStart } from './journal-wire.js';

const END = Buffer.from(WIRE_RECORD_END, 'utf8');

/**
 * Appends acknowledged requests to the apply journal. Each append writes one line and syncs it
 * before resolving, so a request counts as recorded exactly when its promise resolves; appends
 * from concurrent requests are written one after the other.
 */
export class JournalWriter {
  private queue: { line: Buffer[]; done: () => void; fail: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private broken: { error: unknown } | undefined;

  private constructor(private readonly handle: FileHandle) {}

  /** Starts a journal with its header, replacing any leftover file (callers fold a pending one first). */
  static async create(path: string, header: JournalHeader): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(formatJournalHeader(header), 'utf8');
      await handle.datasync();
      await syncDirectory(dirname(path));
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new JournalWriter(handle);
  }

  /**
   * Records one answered request durably (`batch.items`: what the API confirmed; `meta`: its batch ID, or the record's fields): resolves once its line is synced. The line costs
   * O(size of the batch). Lines queued while a sync is running share the next write and sync
   * (group commit), so concurrent acknowledgements do not wait for one sync each.
   *
   * `v2Body`: the v2 request body as sent, for a request accepted in full (meta: a batch ID and
   * nothing else). Its bytes are written as the record's items (the wire form, journal-wire.ts).
   */
  append(index: number, batch: PlannedBatch, meta: RecordMeta | string, v2Body?: Buffer): Promise<void> {
    if (this.broken) return Promise.reject(this.broken.error);
    const line = v2Body !== undefined ? [Buffer.from(wireRecordStart(index, batch.op, acceptedBatchId(meta)), 'utf8'), v2Body, END] : [Buffer.from(formatJournalRecord(index, batch, meta), 'utf8')];
    return new Promise<void>((done, fail) => {
      this.queue.push({ line, done, fail });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        if (this.broken) throw this.broken.error;
        // One writev per group of records, continued if the system writes less; a line torn by a crash
        // is not synced, and the reader takes a torn last line for what it is, not a record.
        await writeAll(this.handle, group.flatMap((g) => g.line));
        await this.handle.datasync();
        for (const g of group) g.done();
      } catch (error) {
        // After a failed write the file's tail is unknown: nothing later may claim to be recorded.
        this.broken ??= { error };
        for (const g of group) g.fail(error);
      }
    }
    this.flushing = undefined;
  }

  /** Waits for queued lines and closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}

/** The batch ID of a request accepted in full: the only record the wire form stands for. */
function acceptedBatchId(meta: RecordMeta | string): string {
  if (typeof meta === 'string') return meta;
  const { batchId, ...rest } = meta;
  if (batchId === undefined || Object.values(rest).some((v) => v !== undefined)) throw new InternalError('only a request accepted in full, with its batch ID, is journaled in the wire form');
  return batchId;
}

/** Writes every buffer at the file's position, resuming after a short write (writev may write less than asked). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error('the journal file took no bytes (is the disk full?)');
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) {
      bytesWritten -= rest[0]!.length;
      rest = rest.slice(1);
    }
    if (rest.length > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)];
  }
}

/** Deletes a journal file; a journal already gone is fine. */
export async function removeJournal(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Makes a new file's directory entry durable (POSIX needs the directory synced, not only the file).
 * Some platforms (Windows) cannot open a directory for syncing; there the rename/create is as
 * durable as the OS makes it, which is all that can be had.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}
