import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { createTempRepo } from '../helpers/temp-repo.js';

/** A temp folder with files (createTempRepo), written one path at a time; removed by `cleanup`. */
export async function tempRepo(files: Readonly<Record<string, string>>): Promise<{ dir: string; write: (path: string, text: string | null) => Promise<void>; cleanup: () => Promise<void> }> {
  const repo = await createTempRepo({ files, prefix: 'groupops-gh-' });
  return { dir: repo.dir, write: (path, text) => repo.write({ [path]: text }), cleanup: () => repo.cleanup() };
}

export { groupYaml } from '../helpers/apply-env.js';

/** The variables GitHub Actions sets for a step, pointing octokit at the fake. */
export function actionsEnv(gh: FakeGitHub, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_RUN_ID: '4242',
    GITHUB_TOKEN: gh.token,
    NO_COLOR: '1',
    // The fake has no secondary rate limit; pacing writes a second apart would only slow the tests.
    GROUPOPS_GITHUB_THROTTLE: '0',
    ...extra,
  };
}

/**
 * The environment of `groupops github apply` in a push job for `sha` on main: the push event and an
 * empty job summary written to `eventPath` and `${eventPath}.summary.md`, the sandbox's URL and token.
 */
export async function pushApplyEnv(
  gh: FakeGitHub,
  opts: { sha: string; eventPath: string; workspace: string; sandbox: { url: string; token: string } },
  extra: Record<string, string> = {},
): Promise<NodeJS.ProcessEnv> {
  await writeFile(opts.eventPath, JSON.stringify(pushEvent(gh, [opts.sha])));
  const summary = `${opts.eventPath}.summary.md`;
  await writeFile(summary, '');
  return actionsEnv(gh, {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: opts.eventPath,
    GITHUB_SHA: opts.sha,
    GITHUB_REF_NAME: 'main',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_WORKSPACE: opts.workspace,
    RABBITPRE_TOKEN: opts.sandbox.token,
    RABBITPRE_BASE_URL: opts.sandbox.url,
    ...extra,
  });
}

/** A pull_request event payload. */
export function pullRequestEvent(gh: FakeGitHub, pr: { number: number; headSha: string; fork?: boolean }): unknown {
  const base = `${gh.owner}/${gh.repo}`;
  return {
    action: 'synchronize',
    number: pr.number,
    pull_request: {
      number: pr.number,
      head: { sha: pr.headSha, ref: 'feature', repo: { full_name: pr.fork ? `someone/${gh.repo}` : base, fork: pr.fork === true } },
      base: { ref: 'main', repo: { full_name: base } },
    },
    repository: { full_name: base, default_branch: 'main' },
  };
}

/** Runs git in a folder with a fixed identity; returns its trimmed output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}

/** Initialises a repository on `main` and commits everything in it. */
export function gitInit(dir: string): string {
  git(dir, 'init', '--quiet', '--initial-branch=main');
  return gitCommitAll(dir, 'initial');
}

/** Commits every change (additions and deletions); returns the new HEAD. */
export function gitCommitAll(dir: string, message: string): string {
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The tracked files of a commit and their text, to seed the fake GitHub with the same commit. */
export function filesAt(dir: string, commit: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of git(dir, 'ls-tree', '-r', '--name-only', commit).split('\n').filter(Boolean)) {
    files[path] = execFileSync('git', ['show', `${commit}:${path}`], { cwd: dir, encoding: 'utf8' });
  }
  return files;
}

/** Mirrors a local commit into the fake (same sha, parents and files), so API commits can build on it. */
/** Puts the local commit `sha` on the fake's main (with its ancestors), merged by pull request `pr` when given. */
export function landOnMain(gh: FakeGitHub, dir: string, sha: string, pr?: number): string {
  mirrorCommit(gh, dir, sha);
  gh.setRef('main', sha);
  if (pr !== undefined) gh.addPull({ number: pr, baseRef: 'main', commits: [sha], mergedAt: '2026-01-01T00:00:00Z' });
  return sha;
}

export function mirrorCommit(gh: FakeGitHub, dir: string, commit: string): void {
  const parents = git(dir, 'rev-list', '--parents', '-n', '1', commit).split(' ').slice(1);
  for (const p of parents) if (!gh.commit(p)) mirrorCommit(gh, dir, p);
  gh.seedCommit({ sha: commit, parents, files: filesAt(dir, commit), message: git(dir, 'log', '-1', '--format=%B', commit) });
}

/**
 * Merges branch `feature` into main as GitHub's merge button does (a merge commit), mirrors the
 * merge on the fake GitHub, moves its main there and records PR `pr` as merged with `commits`
 * before the merge; returns the merge commit.
 */
export function mergeFeature(gh: FakeGitHub, dir: string, pr: number, commits: readonly string[]): string {
  git(dir, 'checkout', '--quiet', 'main');
  git(dir, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'merge', '--quiet', '--no-ff', 'feature', '-m', `Merge pull request #${pr} from acme/feature`);
  const merge = git(dir, 'rev-parse', 'HEAD');
  mirrorCommit(gh, dir, merge);
  gh.setRef('main', merge);
  gh.addPull({ number: pr, baseRef: 'main', commits: [...commits, merge], mergedAt: '2026-01-02T03:04:05Z' });
  return merge;
}

/** A push event payload for the default branch. */
export function pushEvent(gh: FakeGitHub, commits: readonly string[]): unknown {
  return {
    ref: 'refs/heads/main',
    after: commits[commits.length - 1],
    commits: commits.map((id) => ({ id })),
    repository: { full_name: `${gh.owner}/${gh.repo}`, default_branch: 'main' },
  };
}
