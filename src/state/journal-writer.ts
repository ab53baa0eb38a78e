import { dirname } from 'node:path';
import type { PlannedBatch } from '../core/batches.js';
import { makeFolderDurably } from './durable-folder.js';
import type { FileSystem, WritableFile } from './file-system.js';
import { formatJournalHeader, journalRecordPieces, type JournalHeader, type RecordMeta } from './journal.js';

/**
 * Appends acknowledged requests to the apply journal. Each append writes one line and syncs it
 * before resolving, so a request counts as recorded exactly when its promise resolves; appends
 * from concurrent requests are written one after the other.
 */
export class JournalWriter {
  private queue: { line: Uint8Array[]; done: () => void; fail: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private broken: { error: unknown } | undefined;

  private constructor(private readonly file: WritableFile) {}

  /**
   * Starts a journal with its header, replacing any leftover file (callers fold a pending one
   * first). The header is synced and so is the folder's entry for the new file: a record appended
   * later is durable with its sync alone.
   */
  static async create(fs: FileSystem, path: string, header: JournalHeader): Promise<JournalWriter> {
    await makeFolderDurably(fs, dirname(path));
    const file = await fs.create(path);
    try {
      await file.write([Buffer.from(formatJournalHeader(header), 'utf8')]);
      await file.datasync();
      await fs.syncFolder(dirname(path));
    } catch (err) {
      // The failure is what gets reported; the file, which records nothing, is closed and removed if it can be.
      await file.close().catch(() => undefined);
      await fs.remove(path).catch(() => undefined);
      throw err;
    }
    return new JournalWriter(file);
  }

  /**
   * Records one answered request durably (`batch.items`: what the API confirmed; `meta`: its batch
   * ID, or the record's fields): resolves once its line is synced. The line costs O(size of the
   * batch). Lines queued while a sync is running share the next write and sync (group commit), so
   * concurrent acknowledgements do not wait for one sync each.
   */
  append(index: number, batch: PlannedBatch, meta: RecordMeta | string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken.error);
    const line = journalRecordPieces(index, batch, meta).map((piece) => Buffer.from(piece, 'utf8'));
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
        // One write per group of records, continued if the system writes less; a line torn by a
        // crash is not synced, and the reader takes a torn last line for what it is, not a record.
        await this.file.write(group.flatMap((g) => g.line));
        await this.file.datasync();
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
    await this.file.close();
  }
}
