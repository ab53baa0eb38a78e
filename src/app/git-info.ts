import { execFile } from 'node:child_process';

/**
 * The commit of the desired state: `git rev-parse HEAD` in the workspace, or null outside a git
 * work tree, in a repository without commits, or without git installed (the snapshot records null).
 */
export function gitHeadCommit(cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      const sha = String(stdout).trim();
      // Any failure means "no commit to record", which the snapshot states as null.
      resolve(!err && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null);
    });
  });
}
