import { dirname } from 'node:path';
import type { FileSystem } from './file-system.js';

/**
 * Creates a folder and its missing parents, and makes them durable: a folder's entry lives in its
 * parent, which is synced as a file's folder is (a first apply's `.groupops/`: the journal and the
 * snapshot written in it survive a crash only if it does). Returns the topmost folder it created
 * (undefined: the folder existed).
 */
export async function makeFolderDurably(fs: FileSystem, folder: string): Promise<string | undefined> {
  const created = await fs.makeFolder(folder);
  if (created === undefined) return undefined;
  for (let made = folder; ; made = dirname(made)) {
    await fs.syncFolder(dirname(made));
    if (made === created || dirname(made) === made) return created;
  }
}
