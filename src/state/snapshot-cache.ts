import type { FileSystem } from './file-system.js';
import type { SnapshotRead } from './journal-read.js';
import { journalPath } from './journal.js';
import { readSnapshot } from './snapshot-store.js';

/**
 * The snapshot as last read, for `plan --watch`: read again only when the snapshot file or its
 * apply journal changed (size, time or inode), since parsing a million-membership snapshot takes
 * longer than the whole re-plan may. Both files are the applied side: an apply in another terminal
 * appends to the journal and replaces the snapshot, and the next plan must show it.
 */
export class SnapshotCache {
  private last: { stamp: string; path: string; read: SnapshotRead } | undefined;
  /** Reads served from memory and from disk (for tests and the bench). */
  readonly stats = { hits: 0, misses: 0 };

  /** The snapshot at `path` (with its pending journal folded in), from memory when unchanged. */
  async read(fs: FileSystem, path: string, displayPath = path): Promise<SnapshotRead> {
    // Stamped before reading: a change during the read makes the next stamp differ, so it is read again.
    const stamp = `${(await fs.stamp(path)) ?? '-'}|${(await fs.stamp(journalPath(path))) ?? '-'}`;
    if (this.last && this.last.path === path && this.last.stamp === stamp) {
      this.stats.hits++;
      return this.last.read;
    }
    this.stats.misses++;
    const read = await readSnapshot(fs, path, displayPath);
    this.last = { stamp, path, read };
    return read;
  }
}
