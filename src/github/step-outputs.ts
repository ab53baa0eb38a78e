import type { ApplyReport } from '../core/apply-report.js';
import type { PlanSummary } from '../core/plan.js';

/** Step outputs by name, as writeStepOutputs (step-io.ts) takes them; an undefined value is left out. */
export type StepOutputs = Readonly<Record<string, string | undefined>>;

/**
 * The outputs of `groupops github plan` (the Action's `result`, `checksum`, `add`, `delete`,
 * `requests`): `result` is `planned`, `invalid`, or `refused` (a snapshot of another target); the
 * counts are those of `Plan: …` and are absent when nothing was planned, so that a workflow cannot
 * mistake "invalid" or "refused" for "no changes".
 */
export function planStepOutputs(plan: { readonly checksum: string; readonly summary: PlanSummary } | undefined, options: { readonly refused?: boolean } = {}): StepOutputs {
  if (options.refused) return { result: 'refused' };
  if (!plan) return { result: 'invalid' };
  return { result: 'planned', checksum: plan.checksum, ...countsOf(plan.summary) };
}

/**
 * The outputs of `groupops github apply`: `result` is the apply's status (applied, unchanged,
 * partial, failed, interrupted, refused, invalid), the counts are those of the plan it applied,
 * `acknowledged` the requests the API answered, and `snapshot-commit` the commit that records them
 * (absent when nothing was committed).
 */
export function applyStepOutputs(report: ApplyReport): StepOutputs {
  const commit = report.snapshotCommit && 'sha' in report.snapshotCommit ? report.snapshotCommit.sha : undefined;
  return {
    result: report.status,
    checksum: report.plan?.checksum,
    ...(report.plan ? countsOf(report.plan.summary) : {}),
    acknowledged: String(report.requests.length),
    'snapshot-commit': commit,
  };
}

function countsOf(summary: PlanSummary): StepOutputs {
  return { add: String(summary.add), delete: String(summary.delete), requests: String(summary.requests) };
}
