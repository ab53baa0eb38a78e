import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GroupFileResult } from './group-file.js';

/** What identifies a version of a file without reading it: size, modification time (ns), inode. */
export type FileStamp = string;

/** The stamp of a file, or undefined when it cannot be stat-ed (gone). */
export async function stampFile(path: string): Promise<FileStamp | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch {
    return undefined;
  }
}

function stampFileSync(path: string): FileStamp | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch {
    return undefined;
  }
}

interface Entry {
  readonly stamp: FileStamp;
  readonly deps: readonly { readonly path: string; readonly stamp: FileStamp | undefined }[];
  readonly result: GroupFileResult;
}

/**
 * Results of group files between runs of `plan --watch`, keyed by path and stamp (and the stamps of
 * the file's member lists), so a re-plan after one edit reads one file. Only valid results are
 * kept: a file with problems is read again every time, since what fixes it may be another file.
 */
export class GroupFileCache {
  private readonly entries = new Map<string, Entry>();
  /** Files served from the cache and files read, over the cache's life (for tests and the bench). */
  readonly stats = { hits: 0, misses: 0 };

  /** The cached result of `file` if neither it nor its member lists changed. */
  lookup(file: string, stamp: FileStamp | undefined): GroupFileResult | undefined {
    const entry = this.entries.get(file);
    if (!entry || stamp === undefined || entry.stamp !== stamp || entry.deps.some((d) => stampFileSync(d.path) !== d.stamp)) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return entry.result;
  }

  /** Remembers a result read from a file with the given stamp (taken before reading it). */
  store(cwd: string, file: string, stamp: FileStamp | undefined, result: GroupFileResult): void {
    if (stamp === undefined || !result.ok) {
      this.entries.delete(file);
      return;
    }
    const deps = (result.group.memberFiles ?? []).map((ref) => {
      const path = join(cwd, dirname(file), ref.path);
      return { path, stamp: stampFileSync(path) };
    });
    this.entries.set(file, { stamp, deps, result });
  }

  /** Forgets files that are no longer group files. */
  retain(files: readonly string[]): void {
    const keep = new Set(files);
    for (const file of this.entries.keys()) if (!keep.has(file)) this.entries.delete(file);
  }
}
