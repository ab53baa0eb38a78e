import type { Plan } from '../core/plan.js';
import { planCounts, plural } from '../core/render/describe.js';
import { renderJsonChunks } from '../core/render/json.js';
import { renderPlanMarkdown } from '../core/render/markdown.js';
import type { ReviewedPlan } from '../core/safety.js';
import { InvalidInputError, UnsafePlanError, type SourceIssue } from '../errors/index.js';
import { pullRequestOf, type ActionsContext } from './actions-context.js';
import { formatAnnotation, issueAnnotations } from './annotations.js';
import { GitHubSetupError } from './github-error.js';
import type { GitHubPort } from './github-port.js';
import { COMMENT_LIMIT, commentCutNote, planCommentBody, provenanceLine, renderIssuesMarkdown, renderRefusalMarkdown } from './plan-comment.js';
import { STEP_SUMMARY_LIMIT_BYTES } from './step-summary.js';
import type { StepIo } from './step-io.js';
import { PLAN_MARKER, upsertStickyComment, type StickyResult } from './sticky-comment.js';

/** What the PR step needs; the plan, GitHub and the step's files come from the caller (ports). */
export interface PrPlanInput {
  readonly ctx: ActionsContext;
  readonly cwd: string;
  /** Validates and plans; throws InvalidInputError with every issue. */
  readonly plan: () => Promise<ReviewedPlan>;
  /**
   * Whether identity values are masked, in the plan and in the issues (the comment, the summary and
   * the annotations are all read by people who may not see them). Asked once plan() has settled, so
   * it can follow the config that plan() read.
   */
  readonly mask: () => boolean;
  /** Built only when there is a PR to comment on; throws GitHubSetupError without a token. */
  readonly github: () => GitHubPort;
  /** False: job summary only (`--no-comment`). */
  readonly comment: boolean;
  readonly step: StepIo;
}

export interface PrPlanResult {
  readonly valid: boolean;
  readonly plan?: Plan;
  readonly issues: readonly SourceIssue[];
  readonly comment?: StickyResult;
  /** The plan comment did not list every change (the job summary does). */
  readonly truncated: boolean;
  /** Whether the Markdown went to GITHUB_STEP_SUMMARY (else it was printed). */
  readonly summarized: boolean;
  /** The full JSON plan, written when even the job summary could not hold the plan (the step output `plan-json`). */
  readonly planJson?: string;
  /** Why no comment could be written at all (no GITHUB_TOKEN): the step fails with it once the summary is written. */
  readonly setupError?: GitHubSetupError;
  /** Why the plan was refused (a snapshot of another target): the step fails with it once the comment and summary say so. */
  readonly refused?: UnsafePlanError;
}

/** Changes a group lists in the PR comment; the job summary lists them all. */
export const COMMENT_LINES_PER_GROUP = 100;
/** Room kept under each limit for the marker, the provenance line and the closing notes. */
const NOTES_BYTES = 4096;

/**
 * The pull_request step: validation issues become error annotations; the plan (or the issues) goes
 * to the job summary in full, up to its 1 MiB, and to the one sticky PR comment, cut to fit, with
 * the safety verdict of the apply on merge. A plan the summary cannot hold is written in full as a
 * JSON file for the workflow to upload as an artifact. A token that may not comment (a fork PR) is
 * not an error: the summary has everything, and a notice says so; no token at all is, after the
 * summary is written.
 */
export async function runPrPlan(input: PrPlanInput): Promise<PrPlanResult> {
  const { ctx, step } = input;
  const pr = pullRequestOf(ctx);
  let github: GitHubPort | undefined;
  let setupError: GitHubSetupError | undefined;
  if (input.comment && pr) {
    try {
      github = input.github();
    } catch (err) {
      if (!(err instanceof GitHubSetupError)) throw err;
      setupError = err;
    }
  }
  let reviewed: ReviewedPlan | undefined;
  let issues: readonly SourceIssue[] = [];
  let invalid = '';
  let refused: UnsafePlanError | undefined;
  try {
    reviewed = await input.plan();
  } catch (err) {
    // A refused plan (a snapshot of another target) replaces the PR's last plan too, so that no
    // stale plan stays up.
    if (err instanceof UnsafePlanError) refused = err;
    else {
      if (!(err instanceof InvalidInputError)) throw err;
      issues = err.issues;
      invalid = err.summary;
    }
  }
  const mask = input.mask();
  const plan = reviewed?.plan;
  // The comment says for which commit, by which run: a line its renderer puts under the title.
  const subtitle = provenanceLine({ ...(pr ? { headSha: pr.headSha, baseRef: pr.baseRef } : {}), ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}) });
  let comment: string;
  let summary: string;
  let truncated = false;
  let planJson: string | undefined;
  if (plan) {
    const safety = reviewed?.safety;
    const shown = renderPlanMarkdown(plan, {
      mask,
      subtitle,
      ...(safety ? { safety } : {}),
      maxLinesPerGroup: COMMENT_LINES_PER_GROUP,
      moreNote: 'the job summary lists every change',
      maxBytes: COMMENT_LIMIT - NOTES_BYTES,
      cutNote: commentCutNote(ctx.runUrl),
    });
    comment = shown.text;
    truncated = !shown.complete;
    const artifact = `groupops-plan-${ctx.runId ?? 'local'}-${ctx.runAttempt}`;
    const where = ctx.runUrl ? `the artifact \`${artifact}\` of [this run](${ctx.runUrl}#artifacts)` : `the artifact \`${artifact}\` of this run`;
    const full = renderPlanMarkdown(plan, {
      mask,
      ...(safety ? { safety } : {}),
      maxLinesPerGroup: Number.POSITIVE_INFINITY,
      moreNote: `the artifact ${artifact} lists every change`,
      maxBytes: STEP_SUMMARY_LIMIT_BYTES - NOTES_BYTES,
      cutNote: `> ⚠️ **The plan is cut here**: a job summary holds at most 1 MiB. The full plan (JSON${mask ? ', identity values masked' : ''}) is ${where}.`,
    });
    summary = full.text;
    if (!full.complete) {
      planJson = await step.writeFile(`${artifact}.json`, renderJsonChunks(plan, { mask }));
      step.out(`The plan is larger than a job summary: the full plan is written to ${planJson} (step output plan-json, uploaded as the artifact ${artifact}).`);
    }
  } else if (refused) {
    summary = renderRefusalMarkdown(refused.message);
    comment = renderRefusalMarkdown(refused.message, { subtitle });
  } else {
    for (const line of issueAnnotations(issues, { cwd: input.cwd, ...(ctx.workspace ? { workspace: ctx.workspace } : {}) }, { mask })) step.out(line);
    summary = renderIssuesMarkdown(issues, { mask, summary: invalid });
    comment = renderIssuesMarkdown(issues, { mask, summary: invalid, subtitle });
  }
  const body = planCommentBody(comment, ctx.runUrl);
  truncated ||= body.truncated;

  let sticky: StickyResult | undefined;
  let fallbackNote: string | undefined;
  if (github && pr) {
    sticky = await upsertStickyComment(github, { issueNumber: pr.number, marker: PLAN_MARKER }, body.body);
    if (sticky.outcome === 'forbidden') {
      const why = pr.fromFork
        ? `this PR comes from a fork, whose token may not comment (${sticky.reason})`
        : `the token may not comment (${sticky.reason}); give the job \`permissions: pull-requests: write\``;
      fallbackNote = `> ℹ️ The plan is not posted as a PR comment: ${why}. It is shown here in full.`;
      step.out(formatAnnotation(pr.fromFork ? 'notice' : 'warning', `groupops: the plan is in the job summary only: ${why}.`));
    } else step.out(`PR comment ${sticky.outcome}: ${sticky.url}`);
  } else if (setupError) {
    fallbackNote = '> ⚠️ The plan is not posted as a PR comment: `GITHUB_TOKEN` is not set for this step. Pass it with `env: GITHUB_TOKEN: ${{ github.token }}` (see docs/github.md).';
  } else if (input.comment) step.out('No pull request in this event: the plan goes to the job summary only.');

  const summaryText = fallbackNote ? `${fallbackNote}\n\n${summary}` : summary;
  const summarized = await step.appendSummary(summaryText);
  if (!summarized) step.out(summaryText);
  if (plan) step.out(`Plan: ${planCounts(plan.summary)}. Checksum ${plan.checksum}.`);
  else if (refused) step.out('groupops: the plan was refused; nothing was planned.');
  else step.out(`groupops: ${plural(issues.length, 'problem')}: ${invalid}; nothing was planned.`);
  return {
    valid: plan !== undefined,
    ...(plan ? { plan } : {}),
    issues,
    ...(sticky ? { comment: sticky } : {}),
    truncated,
    summarized,
    ...(planJson !== undefined ? { planJson } : {}),
    ...(setupError ? { setupError } : {}),
    ...(refused ? { refused } : {}),
  };
}
