import { GroupopsError } from '../errors/index.js';

/**
 * A GitHub API call that failed: what was attempted, the HTTP status and GitHub's message.
 * Built from octokit's RequestError at this adapter's edge; it never carries the request headers,
 * so the token cannot leak through it.
 */
export class GitHubApiError extends GroupopsError {
  override readonly name = 'GitHubApiError';
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** What groupops was doing, e.g. "update the plan comment on #12". */
  readonly action: string;
  /** GitHub's own explanation (its response's `message`), or the transport's; may be empty. */
  readonly detail: string;

  constructor(action: string, status: number, detail: string, options?: { cause?: unknown }) {
    super('API_ERROR', `GitHub API: cannot ${action}: ${status === 0 ? 'no response' : `HTTP ${status}`}${detail ? ` (${detail})` : ''}`, options);
    this.status = status;
    this.action = action;
    this.detail = detail;
  }
}

/** A configuration problem in the GitHub environment (a missing variable, a wrong event). */
export class GitHubSetupError extends GroupopsError {
  override readonly name = 'GitHubSetupError';

  constructor(message: string) {
    super('CONFIG_ERROR', message);
  }
}

/** Translates whatever octokit threw into a GitHubApiError naming the action; other errors pass through. */
export function toGitHubError(action: string, err: unknown): unknown {
  if (err instanceof GroupopsError) return err;
  const e = err as { name?: string; status?: unknown; message?: unknown };
  if (e?.name === 'HttpError' || typeof e?.status === 'number') {
    const status = typeof e.status === 'number' ? e.status : 0;
    const detail = githubMessage(err) ?? (typeof e.message === 'string' ? firstLine(e.message) : '');
    return new GitHubApiError(action, status, detail, { cause: err });
  }
  if (err instanceof TypeError || (err as Error)?.name === 'FetchError') {
    return new GitHubApiError(action, 0, firstLine((err as Error).message), { cause: err });
  }
  return err;
}

/** Runs one GitHub call and translates its failure. */
export async function githubCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toGitHubError(action, err);
  }
}

/** GitHub's own explanation of a failed call (the response body's `message`), if it sent one. */
export function githubMessage(err: unknown): string | undefined {
  const message = (err as { response?: { data?: { message?: unknown } } } | undefined)?.response?.data?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The HTTP status of a translated or raw GitHub error, if any. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
