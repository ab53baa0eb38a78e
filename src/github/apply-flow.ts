import { withSnapshotCommit, type ApplyProvenance, type ApplyReport } from '../core/apply-report.js';
import { reasonOf, renderApplyMarkdown, renderSnapshotCommitMessage } from '../core/render/apply-report.js';
import { pushedShas, type ActionsContext } from './actions-context.js';
import { formatAnnotation } from './annotations.js';
import { GitHubApiError, GitHubSetupError } from './github-error.js';
import type { GitHubPort } from './github-port.js';
import { findMergedPulls, type MergedPull } from './merged-pulls.js';
import { fitComment } from './plan-comment.js';
import { commitSnapshot } from './snapshot-commit.js';
import type { StepIo } from './step-io.js';
import { APPLY_MARKER, upsertStickyComment } from './sticky-comment.js';

/** What the apply step on the default branch works with. */
export interface GitHubApplyInput {
  readonly ctx: ActionsContext;
  readonly github: GitHubPort;
  readonly branch: string;
  /** The checked-out commit: what is applied, and the snapshot commit's parent. */
  readonly expectedParent: string;
  /** The snapshot and groups folder from the repository root, with `/`. */
  readonly snapshotPath: string;
  readonly groupsPath: string;
  readonly readSnapshot: () => Promise<string | undefined>;
  /** Mask the identity values that invalid-input reasons quote (the comment, summary and annotations are read by others). */
  readonly mask: boolean;
  /** Runs the apply and reports how it ended (never throws: failures come back in the report). */
  readonly apply: () => Promise<ApplyReport>;
  readonly step: StepIo;
}

export interface GitHubApplyResult {
  /** The apply's report, with the snapshot commit's outcome once one was tried. */
  readonly report: ApplyReport;
  readonly pulls: readonly MergedPull[];
}

/**
 * The push/dispatch step: check that the token can write the branch, apply, then commit whatever the
 * snapshot now records (all of it, or what a failed or interrupted apply got acknowledged) through
 * the GitHub API on top of the applied commit, then report on the merged PRs and in the job summary.
 * The caller turns the report into the exit status.
 */
export async function runGitHubApply(input: GitHubApplyInput): Promise<GitHubApplyResult> {
  const { step } = input;
  const before = await input.readSnapshot();
  await checkWriteAccess(input.github, input.branch);
  const applied = await input.apply();
  const after = await input.readSnapshot();
  const provenance: ApplyProvenance = { appliedCommit: input.expectedParent, branch: input.branch, ...(input.ctx.runUrl ? { runUrl: input.ctx.runUrl } : {}) };

  let report = applied;
  if (after !== undefined && after !== before) {
    try {
      const c = await commitSnapshot(input.github, {
        branch: input.branch,
        expectedParent: input.expectedParent,
        path: input.snapshotPath,
        content: after,
        message: renderSnapshotCommitMessage(applied, provenance),
        groupsPath: input.groupsPath,
      });
      report = withSnapshotCommit(applied, { sha: c.sha, ...(c.moved ? { movedTo: c.moved.to, groupsChanged: c.moved.groupsChanged } : {}) });
      step.out(`Snapshot committed: ${c.sha} on ${input.branch}${c.moved ? ` (the branch had moved; re-planned on ${c.moved.to.slice(0, 7)})` : ''}.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      report = withSnapshotCommit(applied, { error: message });
      step.out(formatAnnotation('error', `groupops: the snapshot could not be committed: ${message}`));
    }
  } else step.out(after === undefined ? 'There is no snapshot yet (nothing was acknowledged): nothing to commit.' : 'The snapshot is unchanged: nothing to commit.');

  const reason = reasonOf(report, input.mask);
  if (reason && report.status !== 'unchanged' && report.status !== 'applied') step.out(formatAnnotation('error', `groupops apply ${report.status}: ${reason}`));
  const markdown = renderApplyMarkdown(report, provenance, { mask: input.mask, place: 'github' });
  if (!(await step.appendSummary(markdown))) step.out(markdown);
  const pulls = await commentOnMergedPulls(input, report, provenance);
  return { report, pulls };
}

/**
 * Fails before anything is sent to Rabbitpre when the token could not commit the snapshot afterwards:
 * it must read the branch and write contents. The write is tested by storing an empty blob: a git
 * object no commit refers to, so nothing visible is created, and it costs one small request however
 * large the snapshot is.
 */
export async function checkWriteAccess(github: GitHubPort, branch: string): Promise<void> {
  try {
    await github.branchHead(branch);
    await github.createBlob('');
  } catch (err) {
    if (!(err instanceof GitHubApiError) || ![401, 403, 404].includes(err.status)) throw err;
    const fix = err.status === 401 ? 'check the GITHUB_TOKEN the step is given' : 'give the apply job `permissions: contents: write` (or a token that may push to the branch, passed as GITHUB_TOKEN)';
    throw new GitHubSetupError(`the GitHub token cannot commit the snapshot to ${branch} (${err.message}): ${fix}. Checked before applying: nothing was sent to Rabbitpre (see docs/github.md).`);
  }
}

/** Comments the result on each PR the applied commits merged; a failure to comment is a warning, not a failed apply. */
async function commentOnMergedPulls(input: GitHubApplyInput, report: ApplyReport, provenance: ApplyProvenance): Promise<MergedPull[]> {
  const { step } = input;
  const shas = [...new Set([...pushedShas(input.ctx), input.expectedParent])];
  let pulls: MergedPull[];
  try {
    pulls = await findMergedPulls(input.github, input.branch, shas);
  } catch (err) {
    step.out(formatAnnotation('warning', `groupops: cannot find the merged PR to comment on: ${(err as Error).message}`));
    return [];
  }
  if (pulls.length === 0) step.out('No merged PR found for the applied commits: the result is in the job summary only.');
  const { body } = fitComment(renderApplyMarkdown(report, provenance, { mask: input.mask, place: 'github', marker: APPLY_MARKER }), input.ctx.runUrl, 'result');
  for (const pr of pulls) {
    try {
      const res = await upsertStickyComment(input.github, { issueNumber: pr.number, marker: APPLY_MARKER }, body);
      if (res.outcome === 'forbidden') step.out(formatAnnotation('warning', `groupops: cannot comment on #${pr.number}: ${res.reason}; give the job \`permissions: pull-requests: write\``));
      else step.out(`Result comment ${res.outcome} on #${pr.number}: ${res.url}`);
    } catch (err) {
      step.out(formatAnnotation('warning', `groupops: cannot comment on #${pr.number}: ${(err as Error).message}`));
    }
  }
  return pulls;
}
