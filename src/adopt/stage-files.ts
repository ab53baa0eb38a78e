import { lstat, mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FileOut } from './group-file-text.js';

/**
 * Files written aside, in a hidden folder next to the groups folder (the same file system, so they
 * move into place by rename; hidden, so no loader or watcher takes it for group files), to be
 * checked before anything in the groups folder changes.
 */
export interface StagedFiles {
  /** The staging folder, relative to the workspace root (what loadGroups is pointed at). */
  readonly dir: string;
  /**
   * Moves `remove` (absolute paths: files whose groups the new files declare) aside, then every
   * staged file into the groups folder, keeping a file already at its path aside too, until the
   * staging folder is discarded.
   */
  place(remove?: readonly string[]): Promise<PlacedFiles>;
  /** Removes the staging folder and what is still in it. */
  discard(): Promise<void>;
}

/** Files moved into the groups folder, until the adoption is complete. */
export interface PlacedFiles {
  /** The files that replaced an existing one (paths relative to the groups folder). */
  readonly replaced: readonly string[];
  /** Puts the groups folder back as it was: the new files out, the replaced ones back, new folders removed. */
  rollback(): Promise<void>;
}

/** Writes `files` (paths relative to the groups folder) into a new staging folder next to it. */
export async function stageFiles(cwd: string, groupsDir: string, files: readonly FileOut[]): Promise<StagedFiles> {
  const groupsRoot = join(cwd, groupsDir);
  const parent = dirname(groupsRoot);
  await mkdir(parent, { recursive: true });
  const stage = await mkdtemp(join(parent, `.${basename(groupsRoot)}.adopt-`));
  const discard = (): Promise<void> => rm(stage, { recursive: true, force: true });
  try {
    for (const f of files) {
      const path = join(stage, ...f.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text, { flag: 'wx' });
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    dir: relative(cwd, stage).split(sep).join('/'),
    discard,
    place: (remove = []) => placeFiles(stage, groupsRoot, files, remove),
  };
}

async function placeFiles(stage: string, groupsRoot: string, files: readonly FileOut[], remove: readonly string[]): Promise<PlacedFiles> {
  const aside = join(stage, '.replaced');
  // Each step done, newest last: undone from the end.
  const done: { dest: string; kept?: string }[] = [];
  const replaced: string[] = [];
  const madeDirs: string[] = [];
  const rollback = async (): Promise<void> => {
    for (const step of done.reverse()) {
      await rm(step.dest, { force: true });
      if (step.kept !== undefined) await rename(step.kept, step.dest);
    }
    for (const dir of madeDirs.reverse()) await rmdir(dir).catch(() => undefined);
  };
  let n = 0;
  const keepAside = async (path: string): Promise<string> => {
    const kept = join(aside, String(n++));
    await mkdir(aside, { recursive: true });
    await rename(path, kept);
    return kept;
  };
  try {
    for (const path of remove) {
      const kept = await keepAside(path);
      // Removed: nothing new comes in its place, so undoing only moves it back.
      done.push({ dest: path, kept });
    }
    for (const f of files) {
      const parts = f.path.split('/');
      const dest = join(groupsRoot, ...parts);
      for (const dir of missingDirs(groupsRoot, parts.slice(0, -1))) {
        if (await pathExists(dir)) continue;
        await mkdir(dir);
        madeDirs.push(dir);
      }
      let kept: string | undefined;
      if (await pathExists(dest)) {
        kept = await keepAside(dest);
        replaced.push(f.path);
      }
      await rename(join(stage, ...parts), dest);
      done.push({ dest, ...(kept !== undefined ? { kept } : {}) });
    }
  } catch (err) {
    await rollback();
    throw err;
  }
  return { replaced, rollback };
}

/** The groups folder and each folder below it on the way to a file, outermost first. */
function missingDirs(root: string, parts: readonly string[]): string[] {
  const out = [root];
  for (let i = 1; i <= parts.length; i++) out.push(join(root, ...parts.slice(0, i)));
  return out;
}

/** Whether anything (a file, a folder, a link, even a dangling one) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
