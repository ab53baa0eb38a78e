import { GitHubApiError } from './github-error.js';
import type { GitHubPort, IssueComment } from './github-port.js';

/** The hidden first line that identifies groupops's plan comment on a PR. */
export const PLAN_MARKER = '<!-- groupops:plan -->';
/** The hidden first line of the apply result comment on a merged PR. */
export const APPLY_MARKER = '<!-- groupops:apply -->';

export interface StickyTarget {
  readonly issueNumber: number;
  readonly marker: string;
}

export type StickyResult =
  { readonly outcome: 'created' | 'updated' | 'unchanged'; readonly id: number; readonly url: string } | { readonly outcome: 'forbidden'; readonly status: number; readonly reason: string };

/**
 * Creates or updates the one comment that starts with `marker`: every page of comments is searched
 * (a long PR has more than one), so a PR gets one such comment, ever. A write the token may not make
 * (403/404: a fork PR's read-only token) is reported as `forbidden`, not thrown, so the caller can
 * fall back to the job summary; any other failure throws a GitHubApiError.
 */
export async function upsertStickyComment(github: GitHubPort, target: StickyTarget, body: string): Promise<StickyResult> {
  const { issueNumber, marker } = target;
  const fullBody = body.startsWith(marker) ? body : `${marker}\n${body}`;
  const existing = await findStickyComment(github, target);
  try {
    if (existing) {
      if (existing.body === fullBody) return { outcome: 'unchanged', id: existing.id, url: existing.url };
      const res = await github.updateComment(existing.id, fullBody);
      return { outcome: 'updated', ...res };
    }
    const res = await github.createComment(issueNumber, fullBody);
    return { outcome: 'created', ...res };
  } catch (err) {
    if (err instanceof GitHubApiError && (err.status === 403 || err.status === 404)) {
      return { outcome: 'forbidden', status: err.status, reason: err.detail || `HTTP ${err.status}` };
    }
    throw err;
  }
}

/**
 * The bot's comment that starts with the marker, searching every page. Only bot comments count (the
 * workflows comment as github-actions[bot] or a GitHub App): a person's comment that starts with the
 * marker is never taken over, or its author could edit the plan reviewers read after the next push.
 */
async function findStickyComment(github: GitHubPort, target: StickyTarget): Promise<IssueComment | undefined> {
  const comments = await github.listComments(target.issueNumber);
  return comments.find((c) => c.byBot && typeof c.body === 'string' && c.body.startsWith(target.marker));
}
