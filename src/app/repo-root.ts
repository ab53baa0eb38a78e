import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** What marks a groupops repository's root, nearest first as git looks for `.git`. */
const MARKERS: readonly { readonly name: string; readonly folder: boolean }[] = [
  { name: '.groupops', folder: true },
  // A file in a git worktree or a submodule.
  { name: '.git', folder: false },
  // The default groups folder: a repository before its first apply and before `git init`.
  { name: 'groups', folder: true },
];

/**
 * The repository root for a command run in `cwd`: the nearest folder, `cwd` or above, that holds
 * `.groupops/`, `.git` or `groups/`; undefined when there is none up to the file system's root.
 */
export async function findRepoRoot(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    for (const marker of MARKERS) if (await holds(dir, marker)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function holds(dir: string, marker: (typeof MARKERS)[number]): Promise<boolean> {
  try {
    const s = await stat(join(dir, marker.name));
    return !marker.folder || s.isDirectory();
  } catch {
    return false;
  }
}

/**
 * A path the user gave relative to where they ran the command, as a path relative to the root
 * (absolute when it lies outside it), so that it names the same file from the root.
 */
export function fromCwd(root: string, cwd: string, path: string): string {
  if (isAbsolute(path) || resolve(root) === resolve(cwd)) return path;
  const rel = relative(root, resolve(cwd, path));
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(cwd, path) : rel;
}
