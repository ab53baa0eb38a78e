import type { ApplyOutcome } from '../../app/apply.js';
import { gitHeadCommit } from '../../app/git-info.js';
import { planWorkspace } from '../../app/plan-workspace.js';
import { resolveIn } from '../../app/workspace.js';
import { defaultBranchOf, githubToken, readActionsContext, type ActionsContext } from '../../github/actions-context.js';
import { repoPath } from '../../github/annotations.js';
import { runGitHubApply, type ApplyRun } from '../../github/apply-flow.js';
import { GitHubSetupError, githubCall } from '../../github/github-error.js';
import { createOctokit, throttleFromEnv, type Octokit } from '../../github/octokit.js';
import { runPrPlan } from '../../github/pr-plan.js';
import { readTextIfExists } from '../../state/journal-read.js';
import { shouldMask, workspaceFrom } from '../common-options.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { stateFileSystem, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import type { ApplyCliOptions } from './apply.js';
import { runApply } from './apply-run.js';
import type { GitHubPlanOptions } from './github.js';

// The work of `groupops github plan|apply`, loaded when one of them runs (see github.ts): octokit
// and the GitHub flows are most of what the CLI would otherwise load on every start.

/** `groupops github plan`: annotations, job summary, sticky PR comment; resolves to the exit status. */
export async function githubPlanStep(io: CliIo, opts: GitHubPlanOptions): Promise<number> {
  const ctx = await readActionsContext(io.env);
  // Masked until the config says otherwise, so a config that cannot be read leaves values masked.
  let mask = opts.mask ?? true;
  const result = await runPrPlan({
    ctx,
    cwd: io.cwd,
    comment: opts.comment,
    out: (line) => io.stdout.write(`${line}\n`),
    octokit: () => createOctokit({ baseUrl: ctx.apiUrl, token: githubToken(io.env), throttle: throttleFromEnv(io.env) }),
    plan: async () => {
      const ws = await workspaceFrom(io, { ...opts, format: 'markdown' });
      mask = shouldMask({ ...opts, format: 'markdown' }, ws);
      return (await planWorkspace(ws, stateFileSystem(io))).plan;
    },
    mask: () => mask,
  });
  return result.valid ? EXIT.ok : EXIT.error;
}

/** `groupops github apply`: apply, commit the snapshot through the API, comment on the PR; resolves to the exit status. */
export async function githubApplyStep(io: CliIo, opts: Omit<ApplyCliOptions, 'format'>): Promise<number> {
  const ctx = await readActionsContext(io.env);
  const octokit = createOctokit({ baseUrl: ctx.apiUrl, token: githubToken(io.env), throttle: throttleFromEnv(io.env) });
  const branch = await defaultBranchToApply(ctx, octokit);
  const head = await gitHeadCommit(io.cwd);
  if (!head) throw new GitHubSetupError(`no git commit is checked out in ${io.cwd}: run after actions/checkout`);
  const ws = await workspaceFrom(io, { ...opts, format: 'text' });
  const root = { cwd: io.cwd, ...(ctx.workspace ? { workspace: ctx.workspace } : {}) };
  const snapshotFile = resolveIn(ws.cwd, ws.statePath);
  // The run log of a public repository is public: identity values are masked unless --no-mask.
  const mask = opts.mask ?? ws.config.output.maskIdentities;
  const result = await runGitHubApply({
    ctx,
    octokit,
    branch,
    expectedParent: head,
    snapshotPath: repoPath(snapshotFile, root),
    groupsPath: repoPath(resolveIn(ws.cwd, ws.groupsDir), root),
    readSnapshot: () => readTextIfExists(stateFileSystem(io), snapshotFile),
    mask,
    apply: () => applyAsCli(io, { ...opts, format: 'text', mask }),
    out: (line) => io.stdout.write(`${line}\n`),
  });
  return result.exitCode;
}

/**
 * The branch to apply: the run's branch, which must be the default branch (a dispatch on a feature
 * branch must never reach the tenant).
 */
async function defaultBranchToApply(ctx: ActionsContext, octokit: Octokit): Promise<string> {
  const branch = ctx.refName;
  if (!branch) throw new GitHubSetupError('GITHUB_REF_NAME is not set: groupops github apply runs in a push or workflow_dispatch job');
  const defaultBranch =
    defaultBranchOf(ctx) ?? (await githubCall('read the repository', () => octokit.rest.repos.get({ owner: ctx.repo.owner, repo: ctx.repo.repo }))).data.default_branch;
  if (branch !== defaultBranch) {
    throw new GitHubSetupError(`groupops github apply applies the default branch (${defaultBranch}) only; this run is for "${branch}". Nothing was sent.`);
  }
  return branch;
}

/** Runs `groupops apply` in-process, keeping its outcome and reporting its error as the command would. */
async function applyAsCli(io: CliIo, opts: ApplyCliOptions): Promise<ApplyRun> {
  let outcome: ApplyOutcome | undefined;
  try {
    const exitCode = await runApply(io, opts, (o) => (outcome = o));
    return { exitCode, ...(outcome ? { outcome } : {}) };
  } catch (error) {
    reportError(io, error, { mask: opts.mask === true });
    return { exitCode: exitCodeFor(error), error, ...(outcome ? { outcome } : {}) };
  }
}
