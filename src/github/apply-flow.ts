import type { ApplyOutcome } from '../app/apply.js';
import { GroupopsError, InvalidInputError, UnsafePlanError } from '../errors/index.js';
import { maskIssue } from '../core/render/mask-issue.js';
import { pendingPhrases } from '../core/render/not-applied.js';
import { pushedShas, type ActionsContext } from './actions-context.js';
import { formatAnnotation } from './annotations.js';
import { renderApplyMarkdown, snapshotCommitMessage, type ApplyReport, type ApplyStatus } from './apply-report.js';
import { findMergedPulls, type MergedPull } from './merged-pulls.js';
import type { Octokit } from './octokit.js';
import { fitComment } from './plan-comment.js';
import { commitSnapshot } from './snapshot-commit.js';
import { appendStepSummary } from './step-summary.js';
import { APPLY_MARKER, upsertStickyComment } from './sticky-comment.js';

/** How the apply itself ended: its outcome when it got that far, or the error that stopped it. */
export interface ApplyRun {
  readonly exitCode: number;
  readonly outcome?: ApplyOutcome;
  readonly error?: unknown;
}

/** The ports of the apply step on the default branch. */
export interface GitHubApplyInput {
  readonly ctx: ActionsContext;
  readonly octokit: Octokit;
  readonly branch: string;
  /** The checked-out commit: what is applied, and the snapshot commit's parent. */
  readonly expectedParent: string;
  /** The snapshot and groups folder from the repository root, with `/`. */
  readonly snapshotPath: string;
  readonly groupsPath: string;
  readonly readSnapshot: () => Promise<string | undefined>;
  /** Mask the identity values that invalid-input reasons quote (the comment, summary and annotations are read by others). */
  readonly mask: boolean;
  /** Runs the apply (never throws: failures come back in the run). */
  readonly apply: () => Promise<ApplyRun>;
  /** Workflow commands and progress lines (the step's stdout). */
  readonly out: (line: string) => void;
}

export interface GitHubApplyResult {
  readonly exitCode: number;
  readonly report: ApplyReport;
  readonly pulls: readonly MergedPull[];
}

/**
 * The push/dispatch step: apply, then commit whatever the snapshot now records (all of it, or what
 * a failed or interrupted apply got acknowledged) through the GitHub API on top of the applied
 * commit, then report on the merged PRs and in the job summary. The job fails with the apply's
 * reason, or with the commit's when the snapshot could not be committed.
 */
export async function runGitHubApply(input: GitHubApplyInput): Promise<GitHubApplyResult> {
  const before = await input.readSnapshot();
  const run = await input.apply();
  const after = await input.readSnapshot();
  const o = run.outcome;
  const reason = reasonOf(run, input.mask);
  const base: ApplyReport = {
    status: applyStatusOf(run),
    branch: input.branch,
    appliedCommit: input.expectedParent,
    ...(o ? { summary: o.plan.summary, checksum: o.plan.checksum, plannedRequests: o.plan.batches.length } : {}),
    requests: (o?.requests ?? []).map((r) => ({
      op: r.op,
      items: r.items,
      ...(r.batchId !== undefined ? { batchId: r.batchId } : {}),
      ...(r.target ? { target: r.target } : {}),
      ...(r.status !== 'accepted' ? { status: r.status, notApplied: r.status === 'unknown' ? r.items : r.failed.length } : {}),
    })),
    ...(reason ? { reason } : {}),
    ...(input.ctx.runUrl ? { runUrl: input.ctx.runUrl } : {}),
  };

  let report = base;
  let exitCode = run.exitCode;
  if (after !== undefined && after !== before) {
    try {
      const c = await commitSnapshot(input.octokit, {
        ...input.ctx.repo,
        branch: input.branch,
        expectedParent: input.expectedParent,
        path: input.snapshotPath,
        content: after,
        message: snapshotCommitMessage(base),
        groupsPath: input.groupsPath,
      });
      report = { ...base, snapshotCommit: { sha: c.sha, ...(c.moved ? { movedTo: c.moved.to, groupsChanged: c.moved.groupsChanged } : {}) } };
      input.out(`Snapshot committed: ${c.sha} on ${input.branch}${c.moved ? ` (the branch had moved; re-planned on ${c.moved.to.slice(0, 7)})` : ''}.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      report = { ...base, snapshotCommitError: message };
      input.out(formatAnnotation('error', `groupops: the snapshot could not be committed: ${message}`));
      if (exitCode === 0) exitCode = 1;
    }
  } else input.out(after === undefined ? 'There is no snapshot yet (nothing was acknowledged): nothing to commit.' : 'The snapshot is unchanged: nothing to commit.');

  if (report.reason && report.status !== 'unchanged' && report.status !== 'applied') {
    input.out(formatAnnotation('error', `groupops apply ${report.status}: ${report.reason}`));
  }
  const markdown = renderApplyMarkdown(report, { marker: false });
  if (!(await appendStepSummary(input.ctx.stepSummaryPath, markdown))) input.out(markdown);
  const pulls = await commentOnMergedPulls(input, report);
  return { exitCode, report, pulls };
}

/** Comments the result on each PR the applied commits merged; a failure to comment is a warning, not a failed apply. */
async function commentOnMergedPulls(input: GitHubApplyInput, report: ApplyReport): Promise<MergedPull[]> {
  const shas = [...new Set([...pushedShas(input.ctx), input.expectedParent])];
  let pulls: MergedPull[];
  try {
    pulls = await findMergedPulls(input.octokit, { ...input.ctx.repo, branch: input.branch }, shas);
  } catch (err) {
    input.out(formatAnnotation('warning', `groupops: cannot find the merged PR to comment on: ${(err as Error).message}`));
    return [];
  }
  if (pulls.length === 0) input.out('No merged PR found for the applied commits: the result is in the job summary only.');
  const { body } = fitComment(renderApplyMarkdown(report, { marker: true }), input.ctx.runUrl, 'result');
  for (const pr of pulls) {
    try {
      const res = await upsertStickyComment(input.octokit, { ...input.ctx.repo, issueNumber: pr.number, marker: APPLY_MARKER }, body);
      if (res.outcome === 'forbidden') input.out(formatAnnotation('warning', `groupops: cannot comment on #${pr.number}: ${res.reason}; give the job \`permissions: pull-requests: write\``));
      else input.out(`Result comment ${res.outcome} on #${pr.number}: ${res.url}`);
    } catch (err) {
      input.out(formatAnnotation('warning', `groupops: cannot comment on #${pr.number}: ${(err as Error).message}`));
    }
  }
  return pulls;
}

function applyStatusOf(run: ApplyRun): ApplyStatus {
  if (run.outcome) return run.outcome.status;
  if (run.error instanceof UnsafePlanError) return 'refused';
  if (run.error instanceof InvalidInputError) return 'invalid';
  return 'failed';
}

function reasonOf(run: ApplyRun, mask: boolean): string | undefined {
  if (run.outcome?.status === 'partial') {
    const { rows, items } = pendingPhrases(run.outcome.requests);
    const reasons = [...new Set(run.outcome.requests.flatMap((r) => r.failed.map((f) => f.reason)))].slice(0, 5);
    return [
      ...(rows ? [`${rows}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`] : []),
      ...(items ? [`${items} (import in progress)`] : []),
    ].join('; ') + '; the snapshot records only what the API confirmed, and the next apply sends the rest again';
  }
  if (run.outcome?.status === 'interrupted') return 'the apply was interrupted (the job was cancelled or timed out) before every request was sent';
  const err = run.error ?? run.outcome?.failure;
  if (err === undefined) return undefined;
  if (err instanceof InvalidInputError && mask) return new InvalidInputError(err.issues.map(maskIssue), err.summary).message;
  if (err instanceof GroupopsError) return err.message;
  return `internal error (this is a bug in groupops): ${err instanceof Error ? err.message : String(err)}`;
}
