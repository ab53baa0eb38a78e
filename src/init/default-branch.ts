import { execFile } from 'node:child_process';

/**
 * The branch the apply workflow should run on: the remote's default branch when the repository
 * was cloned (`origin/HEAD`), else the branch checked out, else `main` (no git, or not a repository).
 */
export async function defaultBranchOf(dir: string): Promise<string> {
  const remote = await git(dir, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (remote?.startsWith('origin/')) return remote.slice('origin/'.length);
  return (await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])) ?? 'main';
}

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      // No git, no repository, a detached HEAD: nothing to learn here, the caller falls back.
      const out = String(stdout).trim();
      resolve(!err && out ? out : undefined);
    });
  });
}
