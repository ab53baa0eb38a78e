import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { PlanSummary } from '../core/plan.js';
import type { ApplyReport } from './apply-report.js';

/** Step outputs by name; an undefined value is left out. */
export type StepOutputs = Readonly<Record<string, string | number | undefined>>;

/**
 * The outputs of `groupops github plan` (the Action's `result`, `checksum`, `add`, `delete`,
 * `requests`): `result` is `planned` or `invalid`; the counts are those of `Plan: …` and are absent
 * when the group files are invalid, so that a workflow cannot mistake "invalid" for "no changes".
 */
export function planStepOutputs(plan: { readonly checksum: string; readonly summary: PlanSummary } | undefined): StepOutputs {
  if (!plan) return { result: 'invalid' };
  return { result: 'planned', checksum: plan.checksum, ...countsOf(plan.summary) };
}

/**
 * The outputs of `groupops github apply`: `result` is the apply's status (applied, unchanged,
 * partial, failed, interrupted, refused, invalid), the counts are those of the plan it applied,
 * `acknowledged` the requests the API acknowledged, and `snapshot-commit` the commit that records
 * them (absent when nothing was committed).
 */
export function applyStepOutputs(report: ApplyReport): StepOutputs {
  return {
    result: report.status,
    checksum: report.checksum,
    ...(report.summary ? countsOf(report.summary) : {}),
    acknowledged: report.requests.length,
    'snapshot-commit': report.snapshotCommit?.sha,
  };
}

function countsOf(summary: PlanSummary): StepOutputs {
  return { add: summary.add, delete: summary.delete, requests: summary.requests };
}

/**
 * Appends outputs to the step's GITHUB_OUTPUT file. Each value is written in the runner's
 * `name<<delimiter` form with a random delimiter, as @actions/core does, so that no value (a reason
 * with a newline, say) can end its own output and forge another. Returns false when there is no
 * GITHUB_OUTPUT (outside Actions): nothing is written then.
 */
export async function writeStepOutputs(path: string | undefined, outputs: StepOutputs): Promise<boolean> {
  if (!path) return false;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${String(value)}\n${delimiter}\n`;
  }
  if (text) await appendFile(path, text, 'utf8');
  return true;
}
