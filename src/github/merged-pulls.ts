import type { RepoRef } from './actions-context.js';
import { githubCall } from './github-error.js';
import type { Octokit } from './octokit.js';

/** A merged PR, as the result comment needs it. */
export interface MergedPull {
  readonly number: number;
  readonly url: string;
}

/** Most commits whose PRs are looked up, so a huge push stays a bounded number of calls. */
export const MAX_COMMITS_LOOKED_UP = 20;

/**
 * The PRs merged into `branch` by these commits (`GET /repos/{o}/{r}/commits/{sha}/pulls`), each once,
 * in the order found. Commits without a PR (direct pushes, snapshot commits) contribute nothing.
 */
export async function findMergedPulls(octokit: Octokit, repo: RepoRef & { branch: string }, shas: readonly string[]): Promise<MergedPull[]> {
  const found = new Map<number, MergedPull>();
  for (const sha of shas.slice(-MAX_COMMITS_LOOKED_UP)) {
    const res = await githubCall(`find the PR of commit ${sha.slice(0, 7)}`, () =>
      octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: repo.owner, repo: repo.repo, commit_sha: sha }),
    );
    for (const pr of res.data) {
      if (pr.merged_at && pr.base.ref === repo.branch && !found.has(pr.number)) found.set(pr.number, { number: pr.number, url: pr.html_url });
    }
  }
  return [...found.values()];
}
