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
  /** Moves every file into the groups folder; a file already there is kept aside until `keep()`. */
  place(): Promise<PlacedFiles>;
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
    place: () => placeFiles(stage, groupsRoot, files),
  };
}

async function placeFiles(stage: string, groupsRoot: string, files: readonly FileOut[]): Promise<PlacedFiles> {
  const aside = join(stage, '.replaced');
  const moved: string[] = [];
  const replaced: string[] = [];
  const madeDirs: string[] = [];
  const rollback = async (): Promise<void> => {
    for (const path of moved.reverse()) {
      const dest = join(groupsRoot, ...path.split('/'));
      await rm(dest, { force: true });
      if (replaced.includes(path)) await rename(join(aside, ...path.split('/')), dest);
    }
    for (const dir of madeDirs.reverse()) await rmdir(dir).catch(() => undefined);
  };
  try {
    for (const f of files) {
      const parts = f.path.split('/');
      const dest = join(groupsRoot, ...parts);
      for (const dir of missingDirs(groupsRoot, parts.slice(0, -1))) {
        if (await exists(dir)) continue;
        await mkdir(dir);
        madeDirs.push(dir);
      }
      if (await exists(dest)) {
        const kept = join(aside, ...parts);
        await mkdir(dirname(kept), { recursive: true });
        await rename(dest, kept);
        replaced.push(f.path);
      }
      await rename(join(stage, ...parts), dest);
      moved.push(f.path);
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

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
