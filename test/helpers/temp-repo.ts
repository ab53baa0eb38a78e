import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

/** File contents by path relative to the folder; `null` deletes the path. */
export type Files = Readonly<Record<string, string | Uint8Array | null>>;

/** A temporary folder for a test, optionally a git repository. */
export interface TempRepo {
  readonly dir: string;
  /** An absolute path inside the folder. */
  path(rel: string): string;
  write(files: Files): Promise<void>;
  read(rel: string): Promise<string>;
  exists(rel: string): Promise<boolean>;
  /**
   * Every file and folder (outside .git) with the sha256 of each file's bytes, sorted by path:
   * compare two of them to prove a command created, changed or deleted nothing.
   */
  fingerprint(): Promise<Record<string, string>>;
  /** Runs git in the folder and returns its trimmed output (only for `git: true`). */
  git(...args: string[]): string;
  /** Commits everything (`git add -A`); returns the new HEAD. */
  commit(message: string): string;
  cleanup(): Promise<void>;
}

export interface TempRepoOptions {
  /** Files to write. */
  readonly files?: Files;
  /** Folders or files to copy in: destination (relative) -> source (absolute). */
  readonly copy?: Readonly<Record<string, string>>;
  /** Make it a git repository with one commit holding the files. */
  readonly git?: boolean;
  /** Prefix of the temp folder's name. */
  readonly prefix?: string;
}

const GIT_IDENTITY = ['-c', 'user.name=groupops tests', '-c', 'user.email=tests@groupops.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main'];

/** Creates a temp folder with the given files (and copies); with `git`, a repository with one commit. */
export async function createTempRepo(options: TempRepoOptions = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'groupops-test-'));
  const path = (rel: string): string => join(dir, rel);
  const write = async (files: Files): Promise<void> => {
    for (const [rel, content] of Object.entries(files)) {
      if (content === null) await rm(path(rel), { recursive: true, force: true });
      else {
        await mkdir(dirname(path(rel)), { recursive: true });
        await writeFile(path(rel), content);
      }
    }
  };
  const git = (...args: string[]): string => {
    if (!options.git) throw new Error('this temp folder is not a git repository (pass git: true)');
    return execFileSync('git', [...GIT_IDENTITY, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
  };
  const commit = (message: string): string => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  for (const [dest, source] of Object.entries(options.copy ?? {})) await cp(source, path(dest), { recursive: true });
  await write(options.files ?? {});
  if (options.git) {
    git('init', '-q');
    commit('initial state');
  }
  return {
    dir,
    path,
    write,
    read: (rel) => readFile(path(rel), 'utf8'),
    exists: async (rel) => {
      try {
        await stat(path(rel));
        return true;
      } catch {
        return false;
      }
    },
    fingerprint: () => fingerprint(dir),
    git,
    commit,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: [string, string][] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const e of await readdir(folder, { withFileTypes: true })) {
      const full = join(folder, e.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (e.isDirectory()) {
        if (e.name === '.git' && folder === dir) continue;
        out.push([`${rel}/`, '(folder)']); // an empty folder created by a command counts as a change too
        await walk(full);
        continue;
      }
      out.push([
        rel,
        e.isFile()
          ? createHash('sha256')
              .update(await readFile(full))
              .digest('hex')
          : `(${e.isSymbolicLink() ? 'symlink' : 'special'})`,
      ]);
    }
  };
  await walk(dir);
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(out);
}
