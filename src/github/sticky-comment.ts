import type { RepoRef } from './actions-context.js';
import { githubCall, githubMessage, statusOf, toGitHubError } from './github-error.js';
import type { Octokit } from './octokit.js';

/** The hidden first line that identifies groupops's plan comment on a PR. */
export const PLAN_MARKER = '<!-- groupops:plan -->';
/** The hidden first line of the apply result comment on a merged PR. */
export const APPLY_MARKER = '<!-- groupops:apply -->';

export interface StickyTarget extends RepoRef {
  readonly issueNumber: number;
  readonly marker: string;
}

export type StickyResult =
  | { readonly outcome: 'created' | 'updated' | 'unchanged'; readonly id: number; readonly url: string }
  | { readonly outcome: 'forbidden'; readonly status: number; readonly reason: string };

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { type?: string } | null;
}

/**
 * Creates or updates the one comment that starts with `marker`: every page of comments is searched
 * (a long PR has more than one), so a PR gets one such comment, ever. A write the token may not make
 * (403/404: a fork PR's read-only token) is reported as `forbidden`, not thrown, so the caller can
 * fall back to the job summary; any other failure throws a GitHubApiError.
 */
export async function upsertStickyComment(octokit: Octokit, target: StickyTarget, body: string): Promise<StickyResult> {
  const { owner, repo, issueNumber, marker } = target;
  const fullBody = body.startsWith(marker) ? body : `${marker}\n${body}`;
  const existing = await findStickyComment(octokit, target);
  try {
    if (existing) {
      if (existing.body === fullBody) return { outcome: 'unchanged', id: existing.id, url: existing.html_url };
      const res = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: fullBody });
      return { outcome: 'updated', id: res.data.id, url: res.data.html_url };
    }
    const res = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: fullBody });
    return { outcome: 'created', id: res.data.id, url: res.data.html_url };
  } catch (err) {
    const status = statusOf(err);
    if (status === 403 || status === 404) return { outcome: 'forbidden', status, reason: githubMessage(err) ?? `HTTP ${status}` };
    throw toGitHubError(`${existing ? 'update' : 'create'} the groupops comment on #${issueNumber}`, err);
  }
}

/**
 * The bot's comment that starts with the marker, searching every page. Only bot comments count (the
 * workflows comment as github-actions[bot] or a GitHub App): a person's comment that starts with the
 * marker is never taken over, or its author could edit the plan reviewers read after the next push.
 */
async function findStickyComment(octokit: Octokit, target: StickyTarget): Promise<IssueComment | undefined> {
  const { owner, repo, issueNumber, marker } = target;
  const comments = await githubCall(`list the comments of #${issueNumber}`, () =>
    octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
  );
  return (comments as IssueComment[]).find((c) => c.user?.type === 'Bot' && typeof c.body === 'string' && c.body.startsWith(marker));
}
