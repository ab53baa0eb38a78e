import { lstat, mkdir, readFile, rename, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ScaffoldError } from './scaffold-error.js';
import type { ScaffoldFile } from './scaffold-files.js';

/** What `writeScaffold` did, file by file (paths relative to the repository root). */
export interface ScaffoldResult {
  readonly created: readonly string[];
  /** Existing files replaced because of `force`. */
  readonly replaced: readonly string[];
  /** Existing files left as they were. */
  readonly left: readonly string[];
  /** The lines added to `.gitignore` (none when it had them all), and whether the file is new. */
  readonly gitignore: { readonly added: readonly string[]; readonly created: boolean };
}

/**
 * Writes the scaffold into `dir` (created if missing). A file that exists is left as it is unless
 * `force`; `.gitignore` only ever gets the lines it lacks appended. Every path is checked before
 * anything is written, so a path taken by a folder (or a file where a folder must go) is an error
 * that changes nothing.
 */
export async function writeScaffold(dir: string, files: readonly ScaffoldFile[], gitignoreLines: readonly string[], options: { readonly force: boolean }): Promise<ScaffoldResult> {
  await checkRoot(dir);
  const existing = new Map<string, boolean>();
  const conflicts: string[] = [];
  for (const path of [...files.map((f) => f.path), '.gitignore']) {
    const kind = await kindOf(join(dir, path));
    if (kind === 'other') conflicts.push(`${path} exists and is not a file`);
    else if (kind === 'blocked') conflicts.push(`${path} cannot be created: a file stands where one of its folders must be`);
    else existing.set(path, kind === 'file');
  }
  if (conflicts.length > 0) throw new ScaffoldError(`cannot scaffold ${dir}: ${conflicts.join('; ')}. Move them out of the way; nothing was written.`);

  const created: string[] = [];
  const replaced: string[] = [];
  const left: string[] = [];
  const attempt = async <T>(path: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      const done = created.length + replaced.length > 0 ? ` (written before it: ${[...created, ...replaced].join(', ')})` : '';
      throw new ScaffoldError(`cannot write ${path}: ${(err as Error).message}${done}`, { cause: err });
    }
  };
  for (const file of files) {
    const target = join(dir, file.path);
    if (existing.get(file.path) && !options.force) {
      left.push(file.path);
      continue;
    }
    await attempt(file.path, async () => {
      await mkdir(dirname(target), { recursive: true });
      if (existing.get(file.path)) {
        await replaceFile(target, file.content);
        replaced.push(file.path);
      } else if (await createFile(target, file.content)) created.push(file.path);
      else left.push(file.path); // made by someone else meanwhile: still never overwritten
    });
  }
  const gitignore = await attempt('.gitignore', () => addMissingLines(join(dir, '.gitignore'), gitignoreLines));
  return { created, replaced, left, gitignore };
}

async function checkRoot(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new ScaffoldError(`cannot scaffold ${dir}: it is not a folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err instanceof ScaffoldError ? err : new ScaffoldError(`cannot scaffold ${dir}: ${(err as Error).message}`, { cause: err });
    await mkdir(dir, { recursive: true });
  }
}

async function kindOf(path: string): Promise<'missing' | 'file' | 'other' | 'blocked'> {
  try {
    const s = await lstat(path);
    // A symlink to a file counts as the file: it is left alone like one (or replaced, with --force).
    return s.isFile() ||
      (s.isSymbolicLink() &&
        (await stat(path).then(
          (t) => t.isFile(),
          () => false,
        )))
      ? 'file'
      : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'blocked';
    throw new ScaffoldError(`cannot check ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Creates a file that must not exist yet; false when it appeared meanwhile (it is then left). */
async function createFile(path: string, content: string): Promise<boolean> {
  try {
    await writeFile(path, content, { encoding: 'utf8', flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Replaces a file in one step (written aside, then renamed), so it is never seen half written. */
async function replaceFile(path: string, content: string): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(aside, content, 'utf8');
    await rename(aside, path);
  } catch (err) {
    await rm(aside, { force: true });
    throw err;
  }
}

/** Appends the lines a file lacks (comment lines are only written along with a missing pattern). */
async function addMissingLines(path: string, lines: readonly string[]): Promise<ScaffoldResult['gitignore']> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const have = new Set((text ?? '').split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !l.startsWith('#') && !have.has(l));
  if (missing.length === 0) return { added: [], created: false };
  const added = [...lines.filter((l) => l.startsWith('#') && !have.has(l)), ...missing];
  const separator = text === undefined || text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  await appendFile(path, `${separator}${added.join('\n')}\n`, 'utf8');
  return { added, created: text === undefined };
}
