import type { Plan } from '../core/plan.js';
import { planCounts, plural } from '../core/render/describe.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { InvalidInputError, UnsafePlanError, type SourceIssue } from '../errors/index.js';
import { pullRequestOf, type ActionsContext } from './actions-context.js';
import { formatAnnotation, issueAnnotations } from './annotations.js';
import type { Octokit } from './octokit.js';
import { planCommentBody, renderIssuesMarkdown, renderRefusalMarkdown } from './plan-comment.js';
import { appendStepSummary } from './step-summary.js';
import { PLAN_MARKER, upsertStickyComment, type StickyResult } from './sticky-comment.js';

/** What the PR step needs; the plan and the client come from the caller (ports). */
export interface PrPlanInput {
  readonly ctx: ActionsContext;
  readonly cwd: string;
  /** Validates and plans; throws InvalidInputError with every issue. */
  readonly plan: () => Promise<Plan>;
  /**
   * Whether identity values are masked, in the plan and in the issues (the comment, the summary and
   * the annotations are all read by people who may not see them). Asked once plan() has settled, so
   * it can follow the config that plan() read.
   */
  readonly mask: () => boolean;
  /** Built only when there is a PR to comment on. */
  readonly octokit: () => Octokit;
  /** False: job summary only (`--no-comment`). */
  readonly comment: boolean;
  /** Workflow commands and progress lines (the step's stdout). */
  readonly out: (line: string) => void;
}

export interface PrPlanResult {
  readonly valid: boolean;
  readonly plan?: Plan;
  readonly issues: readonly SourceIssue[];
  readonly comment?: StickyResult;
  /** The plan comment did not fit and was cut. */
  readonly truncated: boolean;
  /** Whether the Markdown went to GITHUB_STEP_SUMMARY (else it was printed). */
  readonly summarized: boolean;
}

/**
 * The pull_request step: validation issues become error annotations, the plan (or the issues) goes
 * to the job summary in full and to the one sticky PR comment, cut to fit. A token that may not
 * comment (a fork PR) is not an error: the summary has everything, and a notice says so.
 */
export async function runPrPlan(input: PrPlanInput): Promise<PrPlanResult> {
  const { ctx } = input;
  const pr = pullRequestOf(ctx);
  // Built first, so a missing token is reported before anything is written.
  const octokit = input.comment && pr ? input.octokit() : undefined;
  let plan: Plan | undefined;
  let issues: readonly SourceIssue[] = [];
  let refused: UnsafePlanError | undefined;
  let markdown: string;
  try {
    plan = await input.plan();
    markdown = renderMarkdown(plan, { mask: input.mask() });
  } catch (err) {
    if (err instanceof UnsafePlanError) {
      // A refused plan (a snapshot of another target) replaces the PR's last plan too, so that no
      // stale plan stays up; the step then fails with the refusal.
      refused = err;
      markdown = renderRefusalMarkdown(err.message);
    } else {
      if (!(err instanceof InvalidInputError)) throw err;
      issues = err.issues;
      const mask = input.mask();
      for (const line of issueAnnotations(issues, { cwd: input.cwd, ...(ctx.workspace ? { workspace: ctx.workspace } : {}) }, { mask })) input.out(line);
      markdown = renderIssuesMarkdown(issues, { mask });
    }
  }
  const provenance = { ...(pr ? { headSha: pr.headSha, baseRef: pr.baseRef } : {}), ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}) };
  const { body, truncated } = planCommentBody(markdown, provenance);

  let comment: StickyResult | undefined;
  let fallbackNote: string | undefined;
  if (octokit && pr) {
    comment = await upsertStickyComment(octokit, { ...ctx.repo, issueNumber: pr.number, marker: PLAN_MARKER }, body);
    if (comment.outcome === 'forbidden') {
      const why = pr.fromFork
        ? `this PR comes from a fork, whose token may not comment (${comment.reason})`
        : `the token may not comment (${comment.reason}); give the job \`permissions: pull-requests: write\``;
      fallbackNote = `> ℹ️ The plan is not posted as a PR comment: ${why}. It is shown here in full.`;
      input.out(formatAnnotation(pr.fromFork ? 'notice' : 'warning', `groupops: the plan is in the job summary only: ${why}.`));
    } else input.out(`PR comment ${comment.outcome}: ${comment.url}`);
  } else if (input.comment) input.out('No pull request in this event: the plan goes to the job summary only.');

  const summaryText = fallbackNote ? `${fallbackNote}\n\n${markdown}` : markdown;
  const summarized = await appendStepSummary(ctx.stepSummaryPath, summaryText);
  if (!summarized) input.out(summaryText);
  if (plan) input.out(`Plan: ${planCounts(plan.summary)}. Checksum ${plan.checksum}.`);
  else if (refused) throw refused;
  else input.out(`groupops: ${plural(issues.length, 'problem')} in the group files; nothing was planned.`);
  return { valid: plan !== undefined, ...(plan ? { plan } : {}), issues, ...(comment ? { comment } : {}), truncated, summarized };
}
