import type { GitHubPort } from './github-port.js';

/** A merged PR, as the result comment needs it. */
export interface MergedPull {
  readonly number: number;
  readonly url: string;
}

/** Most commits whose PRs are looked up, so a huge push stays a bounded number of calls. */
export const MAX_COMMITS_LOOKED_UP = 20;

/**
 * The PRs merged into `branch` by these commits, each once, in the order found. Commits without a
 * PR (direct pushes, snapshot commits) contribute nothing.
 */
export async function findMergedPulls(github: GitHubPort, branch: string, shas: readonly string[]): Promise<MergedPull[]> {
  const found = new Map<number, MergedPull>();
  for (const sha of shas.slice(-MAX_COMMITS_LOOKED_UP)) {
    for (const pr of await github.pullsOfCommit(sha)) {
      if (pr.merged && pr.baseRef === branch && !found.has(pr.number)) found.set(pr.number, { number: pr.number, url: pr.url });
    }
  }
  return [...found.values()];
}
