import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away repository holding a copy of a groups folder. */
export interface DemoRepo {
  readonly dir: string;
  /** False when git is not installed: the demo then runs in a plain folder (the snapshot records no commit). */
  readonly git: boolean;
  remove(): Promise<void>;
}

/**
 * Copies `groupsDir` into a fresh temporary folder and commits it in a new git repository, so the
 * demo applies a real desired-state commit while the user's checkout stays untouched.
 */
export async function createDemoRepo(groupsDir: string): Promise<DemoRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'groupops-demo-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(groupsDir, join(dir, 'groups'), { recursive: true });
    return { dir, git: await commitAll(dir), remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

async function commitAll(dir: string): Promise<boolean> {
  const git = (...args: string[]) => run('git', ['-c', 'user.name=groupops demo', '-c', 'user.email=demo@groupops.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, windowsHide: true });
  try {
    await git('init', '-q');
  } catch (err) {
    // No git on this machine: the demo still works, only without a commit to record.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await git('add', '-A');
  await git('commit', '-q', '-m', 'desired state: the shipped example groups');
  return true;
}
