import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** True for names that are not group files or folders: dot files and `_`-prefixed drafts. */
export function isHidden(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** True for a YAML file name. */
export function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/**
 * Lists the group files under a folder (any depth), sorted, as paths relative to `cwd` with `/`.
 * Returns undefined when the folder does not exist. Every entry named like a YAML file is listed
 * whatever it is (a symlink, a FIFO, a device), so that the reader reports what is not a regular
 * file instead of it being skipped; so is a symlink to a folder, which is not followed (a group
 * file there would otherwise be silently left out, and its memberships deleted).
 */
export async function listGroupFiles(dir: string, cwd = process.cwd()): Promise<string[] | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const e of entries) {
      if (isHidden(e.name)) continue;
      const full = join(folder, e.name);
      if (e.isDirectory()) await walk(full);
      else if (isYamlName(e.name) || (e.isSymbolicLink() && (await isFolder(full)))) out.push(full);
    }
  };
  await walk(dir);
  return out.map((f) => toDisplayPath(f, cwd)).sort();
}

/** True when a path leads to a folder (stat follows symlinks and never blocks, even on a FIFO). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A path as shown to users and in annotations: relative to the working folder, with `/`. */
export function toDisplayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}
