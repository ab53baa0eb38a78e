import { readFile } from 'node:fs/promises';
import { GitHubSetupError } from './github-error.js';

/** A repository on GitHub. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/**
 * What a GitHub Actions run tells a step through its environment (the standard variables) and the
 * event payload. The token is not part of it: it is read once, where the client is built.
 */
export interface ActionsContext {
  readonly repo: RepoRef;
  /** GITHUB_API_URL: octokit's baseUrl (github.com, GHES, or a local fake in tests). */
  readonly apiUrl: string;
  readonly eventName: string;
  /** The parsed event payload (GITHUB_EVENT_PATH); empty when the variable is unset. */
  readonly event: Readonly<Record<string, unknown>>;
  /** GITHUB_SHA: the commit the event is about. */
  readonly sha: string | undefined;
  /** GITHUB_REF_NAME: the branch or tag the run is for. */
  readonly refName: string | undefined;
  /** GITHUB_STEP_SUMMARY: the file a step appends its Markdown summary to. */
  readonly stepSummaryPath: string | undefined;
  /** The run's page, where the job summary is shown; undefined outside Actions. */
  readonly runUrl: string | undefined;
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT: they name the run's artifacts. */
  readonly runId: string | undefined;
  readonly runAttempt: string;
  /** GITHUB_WORKSPACE: the repository root annotations are relative to. */
  readonly workspace: string | undefined;
}

/** What the pull_request event says about the PR. */
export interface PullRequestInfo {
  readonly number: number;
  readonly headSha: string;
  readonly baseRef: string;
  /** True when the head lives in another repository: its GITHUB_TOKEN is read-only. */
  readonly fromFork: boolean;
}

/** Reads the Actions environment; a missing GITHUB_REPOSITORY or unreadable payload is a setup error. */
export async function readActionsContext(env: NodeJS.ProcessEnv): Promise<ActionsContext> {
  const repo = parseRepository(env.GITHUB_REPOSITORY);
  const event = env.GITHUB_EVENT_PATH ? await readEvent(env.GITHUB_EVENT_PATH) : {};
  const serverUrl = trimSlash(env.GITHUB_SERVER_URL || 'https://github.com');
  return {
    repo,
    apiUrl: trimSlash(env.GITHUB_API_URL || 'https://api.github.com'),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    sha: env.GITHUB_SHA || undefined,
    refName: env.GITHUB_REF_NAME || undefined,
    stepSummaryPath: env.GITHUB_STEP_SUMMARY || undefined,
    runUrl: env.GITHUB_RUN_ID ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    runId: env.GITHUB_RUN_ID || undefined,
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    workspace: env.GITHUB_WORKSPACE || undefined,
  };
}

/** The token octokit authenticates with; its absence is a setup error that says how to pass it. */
export function githubToken(env: NodeJS.ProcessEnv): string {
  const token = env.GITHUB_TOKEN;
  if (!token) {
    throw new GitHubSetupError('GITHUB_TOKEN is not set: pass it to the step with `env: GITHUB_TOKEN: ${{ github.token }}` (see docs/github.md)');
  }
  return token;
}

/** The PR of a pull_request event, or undefined for any other event. */
export function pullRequestOf(ctx: ActionsContext): PullRequestInfo | undefined {
  const pr = ctx.event.pull_request as { number?: unknown; head?: { sha?: unknown; repo?: { full_name?: unknown } | null }; base?: { ref?: unknown; repo?: { full_name?: unknown } } } | undefined;
  if (!pr || typeof pr.number !== 'number') return undefined;
  const headRepo = pr.head?.repo?.full_name;
  const baseRepo = pr.base?.repo?.full_name ?? `${ctx.repo.owner}/${ctx.repo.repo}`;
  return {
    number: pr.number,
    headSha: typeof pr.head?.sha === 'string' ? pr.head.sha : (ctx.sha ?? ''),
    baseRef: typeof pr.base?.ref === 'string' ? pr.base.ref : '',
    // A deleted fork has no head repo; treat it as a fork: its token is read-only too.
    fromFork: typeof headRepo !== 'string' || headRepo.toLowerCase() !== (typeof baseRepo === 'string' ? baseRepo.toLowerCase() : ''),
  };
}

/** The repository's default branch, from the event payload. */
export function defaultBranchOf(ctx: ActionsContext): string | undefined {
  const repo = ctx.event.repository as { default_branch?: unknown } | undefined;
  return typeof repo?.default_branch === 'string' ? repo.default_branch : undefined;
}

/** The commits a push event carried (oldest first) and its head, for finding the PRs they merged. */
export function pushedShas(ctx: ActionsContext): string[] {
  const shas: string[] = [];
  const commits = ctx.event.commits;
  if (Array.isArray(commits)) for (const c of commits) if (typeof (c as { id?: unknown })?.id === 'string') shas.push((c as { id: string }).id);
  const after = ctx.event.after;
  if (typeof after === 'string' && !/^0+$/.test(after)) shas.push(after);
  if (ctx.sha) shas.push(ctx.sha);
  return [...new Set(shas)];
}

function parseRepository(value: string | undefined): RepoRef {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value ?? '');
  if (!m) {
    throw new GitHubSetupError(
      value
        ? `GITHUB_REPOSITORY is "${value}", expected owner/name`
        : 'GITHUB_REPOSITORY is not set: the github commands run inside GitHub Actions (or set the Actions variables yourself, see docs/github.md)',
    );
  }
  return { owner: m[1]!, repo: m[2]! };
}

async function readEvent(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GitHubSetupError(`cannot read the event payload GITHUB_EVENT_PATH=${path}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below, with the path
  }
  throw new GitHubSetupError(`the event payload GITHUB_EVENT_PATH=${path} is not a JSON object`);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
