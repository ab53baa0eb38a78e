import { stampFile } from '../load/group-cache.js';
import type { SnapshotRead } from './journal-read.js';
import { journalPath } from './journal.js';
import { readSnapshot } from './snapshot-store.js';

/**
 * The snapshot as last read, for `plan --watch`: read again only when the snapshot file or its
 * apply journal changed (size, time or inode), since parsing a million-membership snapshot takes
 * longer than the whole re-plan may.
 */
export class SnapshotCache {
  private last: { stamp: string; path: string; read: SnapshotRead } | undefined;
  /** Reads served from memory and from disk (for tests and the bench). */
  readonly stats = { hits: 0, misses: 0 };

  /** The snapshot at `path` (with its pending journal folded in), from memory when unchanged. */
  async read(path: string, displayPath = path): Promise<SnapshotRead> {
    const stamp = `${(await stampFile(path)) ?? '-'}|${(await stampFile(journalPath(path))) ?? '-'}`;
    if (this.last && this.last.path === path && this.last.stamp === stamp) {
      this.stats.hits++;
      return this.last.read;
    }
    this.stats.misses++;
    const read = await readSnapshot(path, displayPath);
    this.last = { stamp, path, read };
    return read;
  }
}
