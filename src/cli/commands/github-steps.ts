import { gitHeadCommit } from '../../app/git-info.js';
import { reviewWorkspace } from '../../app/review-plan.js';
import { resolveIn } from '../../app/workspace.js';
import { buildApplyReport, type ApplyReport } from '../../core/apply-report.js';
import { defaultBranchOf, githubToken, pullRequestOf, readActionsContext, type ActionsContext } from '../../github/actions-context.js';
import { repoPath } from '../../github/annotations.js';
import { snapshotIsBase } from '../../github/base-snapshot.js';
import { runGitHubApply } from '../../github/apply-flow.js';
import { GitHubSetupError } from '../../github/github-error.js';
import type { GitHubPort } from '../../github/github-port.js';
import { createOctokit, throttleFromEnv } from '../../github/octokit.js';
import { octokitPort } from '../../github/octokit-port.js';
import { runPrPlan } from '../../github/pr-plan.js';
import { actionsStepIo, writeStepOutputs } from '../../github/step-io.js';
import { applyStepOutputs, planStepOutputs } from '../../github/step-outputs.js';
import { readTextIfExists } from '../../state/journal-read.js';
import { isCi, shouldMask, workspaceFrom } from '../common-options.js';
import { EXIT, exitCodeForReport } from '../exit-codes.js';
import { stateFileSystem, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import type { ApplyCliOptions } from '../command-options.js';
import { runApply } from './apply-run.js';
import type { GitHubPlanOptions } from '../command-options.js';

// The work of `groupops github plan|apply`, loaded when one of them runs (see github.ts): octokit
// and the GitHub flows are most of what the CLI would otherwise load on every start.

/** The GitHub port for this run's repository, with the token from the environment (a setup error without one). */
function githubFor(io: CliIo, ctx: ActionsContext): GitHubPort {
  return octokitPort(createOctokit({ baseUrl: ctx.apiUrl, token: githubToken(io.env), throttle: throttleFromEnv(io.env) }), ctx.repo);
}

/**
 * True when the PR's checked-out snapshot is the base branch's, so its groups' sources can be
 * trusted (see snapshotIsBase); false for any other event, without a token, or on any doubt.
 */
async function snapshotTrusted(io: CliIo, ctx: ActionsContext, file: string): Promise<boolean> {
  const pr = pullRequestOf(ctx);
  if (!pr) return false;
  let github: GitHubPort;
  try {
    github = githubFor(io, ctx);
  } catch {
    return false;
  }
  const bytes = await stateFileSystem(io)
    .readFile(file)
    .catch(() => undefined);
  return snapshotIsBase(github, pr.baseRef, repoPath(file, { cwd: io.cwd, ...(ctx.workspace ? { workspace: ctx.workspace } : {}) }), bytes);
}

/** `groupops github plan`: annotations, job summary, sticky PR comment; resolves to the exit status. */
export async function githubPlanStep(io: CliIo, opts: GitHubPlanOptions): Promise<number> {
  const ctx = await readActionsContext(io.env);
  // Masked until the config says otherwise, so a config that cannot be read leaves values masked.
  let mask = opts.mask ?? true;
  const result = await runPrPlan({
    ctx,
    cwd: io.cwd,
    comment: opts.comment,
    step: actionsStepIo(io.env, (line) => io.stdout.write(`${line}\n`)),
    github: () => githubFor(io, ctx),
    plan: async () => {
      const ws = await workspaceFrom(io, { ...opts, format: 'markdown' });
      mask = shouldMask({ ...opts, format: 'markdown' }, ws);
      const sources = await snapshotTrusted(io, ctx, resolveIn(ws.cwd, ws.statePath));
      ws.log?.(
        sources ? 'the snapshot is the base branch one: the groups it records sources for may go unread' : 'the snapshot is not (or not known to be) the base branch one: every group file is read',
      );
      return reviewWorkspace(ws, stateFileSystem(io), { sources });
    },
    mask: () => mask,
  });
  // The one place the plan step hands values to the workflow's later steps.
  await writeStepOutputs(io.env.GITHUB_OUTPUT, { 'plan-json': result.planJson, ...planStepOutputs(result.plan, { refused: result.refused !== undefined }) });
  // Refused (a snapshot of another target): the comment and the summary say so, and the step fails with exit 3.
  if (result.refused) throw result.refused;
  // No token: the summary holds the plan, and the step still fails, saying how to pass one.
  if (result.setupError) throw result.setupError;
  return result.valid ? EXIT.ok : EXIT.error;
}

/** `groupops github apply`: apply, commit the snapshot through the API, comment on the PR; resolves to the exit status. */
export async function githubApplyStep(io: CliIo, opts: Omit<ApplyCliOptions, 'format'>): Promise<number> {
  const ctx = await readActionsContext(io.env);
  const github = githubFor(io, ctx);
  const branch = await defaultBranchToApply(ctx, github);
  const head = await gitHeadCommit(io.cwd);
  if (!head) throw new GitHubSetupError(`no git commit is checked out in ${io.cwd}: run after actions/checkout`);
  const ws = await workspaceFrom(io, { ...opts, format: 'text' });
  const root = { cwd: io.cwd, ...(ctx.workspace ? { workspace: ctx.workspace } : {}) };
  const snapshotFile = resolveIn(ws.cwd, ws.statePath);
  // The run log of a public repository is public: identity values are masked unless --no-mask.
  const mask = opts.mask ?? (isCi(io.env) || ws.config.output.maskIdentities);
  const { report } = await runGitHubApply({
    ctx,
    github,
    branch,
    expectedParent: head,
    snapshotPath: repoPath(snapshotFile, root),
    groupsPath: repoPath(resolveIn(ws.cwd, ws.groupsDir), root),
    readSnapshot: () => readTextIfExists(stateFileSystem(io), snapshotFile),
    mask,
    apply: () => applyAsCli(io, { ...opts, format: 'text', mask }, ws.statePath),
    step: actionsStepIo(io.env, (line) => io.stdout.write(`${line}\n`)),
  });
  await writeStepOutputs(io.env.GITHUB_OUTPUT, applyStepOutputs(report));
  return exitCodeForReport(report);
}

/**
 * The branch to apply: the run's branch, which must be the default branch (a dispatch on a feature
 * branch must never reach the tenant).
 */
async function defaultBranchToApply(ctx: ActionsContext, github: GitHubPort): Promise<string> {
  const branch = ctx.refName;
  if (!branch) throw new GitHubSetupError('GITHUB_REF_NAME is not set: groupops github apply runs in a push or workflow_dispatch job');
  const defaultBranch = defaultBranchOf(ctx) ?? (await github.defaultBranch());
  if (branch !== defaultBranch) {
    throw new GitHubSetupError(`groupops github apply applies the default branch (${defaultBranch}) only; this run is for "${branch}". Nothing was sent.`);
  }
  return branch;
}

/** Runs `groupops apply` in-process, as the command would (its output in the log), and reports how it ended. */
async function applyAsCli(io: CliIo, opts: ApplyCliOptions, statePath: string): Promise<ApplyReport> {
  let report: ApplyReport | undefined;
  try {
    await runApply(io, opts, (r) => (report = r));
  } catch (error) {
    reportError(io, error, { mask: opts.mask === true });
    return report ?? buildApplyReport({ snapshotPath: statePath, error });
  }
  return report ?? buildApplyReport({ snapshotPath: statePath, error: new Error('the apply ended without a report') });
}
