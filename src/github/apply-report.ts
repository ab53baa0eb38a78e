import type { PlanSummary } from '../core/plan.js';
import { planCounts, plural } from '../core/render/describe.js';
import { codeSpan } from '../core/render/escape-markdown.js';
import { reasonBlock } from './plan-comment.js';
import { APPLY_MARKER } from './sticky-comment.js';

/** One answered request: what the commit message and the result comment list. */
export interface ReportedRequest {
  readonly op: 'add' | 'delete';
  readonly items: number;
  /** Exact decimal string (batch IDs exceed 2^53); absent for customer-group requests, which have none. */
  readonly batchId?: string;
  readonly target?: 'customer';
  /** partial: `notApplied` rows failed; unknown: nothing confirmed yet. Absent: all applied. */
  readonly status?: 'partial' | 'unknown';
  readonly notApplied?: number;
}

/** How an apply on the default branch ended. */
export type ApplyStatus = 'applied' | 'unchanged' | 'partial' | 'failed' | 'interrupted' | 'refused' | 'invalid';

/** Everything the result comment, the job summary and the snapshot commit message say. */
export interface ApplyReport {
  readonly status: ApplyStatus;
  readonly branch: string;
  /** The commit whose group files were applied. */
  readonly appliedCommit: string;
  readonly summary?: PlanSummary;
  readonly checksum?: string;
  readonly plannedRequests?: number;
  readonly requests: readonly ReportedRequest[];
  /** Why it stopped or refused; also why the snapshot commit failed. */
  readonly reason?: string;
  readonly snapshotCommit?: { readonly sha: string; readonly movedTo?: string; readonly groupsChanged?: boolean };
  readonly snapshotCommitError?: string;
  readonly runUrl?: string;
}

const HEADLINE: Record<ApplyStatus, string> = {
  applied: '✅ applied',
  unchanged: '✅ nothing to apply',
  partial: '⚠️ partly applied',
  failed: '❌ failed',
  interrupted: '⚠️ interrupted',
  refused: '⛔ refused by a safety limit',
  invalid: '❌ invalid group files',
};

/**
 * The snapshot commit's message: what was applied and every batch ID, exact, in plan order. It has
 * no `[skip ci]`: that would also skip the project's own CI; the apply workflow's `paths` filter
 * and GitHub's rule that GITHUB_TOKEN pushes start no workflow keep it from triggering an apply.
 */
export function snapshotCommitMessage(report: ApplyReport): string {
  const n = report.requests.length;
  const partial = report.status !== 'applied' && report.status !== 'unchanged';
  const pending = report.requests.reduce((k, r) => k + (r.notApplied ?? 0), 0);
  const title =
    report.status === 'partial'
      ? `groupops: partial apply of ${report.appliedCommit.slice(0, 7)} (${plural(n, 'request')}, ${plural(pending, 'row')} not applied)`
      : partial
        ? `groupops: partial apply of ${report.appliedCommit.slice(0, 7)} (${n} of ${report.plannedRequests ?? '?'} requests acknowledged)`
        : `groupops: apply ${report.appliedCommit.slice(0, 7)} (${plural(n, 'request')})`;
  const lines = [title, ''];
  if (report.summary) lines.push(`Plan: ${planCounts(report.summary)}.`);
  if (report.checksum) lines.push(`Plan checksum: ${report.checksum}`);
  lines.push('', 'Batch IDs (in the order of the plan):');
  if (n === 0) lines.push('- none');
  for (const r of report.requests) lines.push(`- ${r.op} ${plural(r.items, 'item')}: ${requestResult(r)}`);
  if (partial && report.reason) lines.push('', `Stopped: ${report.reason.split('\n')[0]}`);
  lines.push('', `Groupops-Applied-Commit: ${report.appliedCommit}`);
  if (report.runUrl) lines.push(`Groupops-Run: ${report.runUrl}`);
  return `${lines.join('\n')}\n`;
}

/** The result as Markdown, for the merged PR's comment and the job summary. */
export function renderApplyMarkdown(report: ApplyReport, options: { marker: boolean }): string {
  const out: string[] = [];
  if (options.marker) out.push(APPLY_MARKER);
  out.push(`### groupops apply: ${HEADLINE[report.status]}`, '');
  const where = `\`${report.appliedCommit.slice(0, 7)}\` on ${codeSpan(report.branch)}`;
  if (report.summary) {
    out.push(`Plan for ${where}: ${planCounts(report.summary)}.`);
  } else out.push(`Commit ${where}.`);
  if (report.checksum) out.push('', `Plan checksum: \`${report.checksum}\``);
  out.push('');
  if (report.requests.length > 0) {
    const of = report.plannedRequests !== undefined ? ` of ${report.plannedRequests}` : '';
    out.push(`Acknowledged requests (${report.requests.length}${of}):`, '', '| # | op | items | batch ID |', '|---:|---|---:|---|');
    report.requests.forEach((r, i) => out.push(`| ${i + 1} | ${r.op} | ${r.items} | ${r.batchId !== undefined && !r.status ? `\`${r.batchId}\`` : requestResult(r)} |`));
    out.push('');
  } else if (report.status !== 'unchanged') out.push('No request was acknowledged: nothing changed on the platform.', '');
  if (report.reason) out.push(report.status === 'refused' ? 'Refused:' : 'Reason:', '', reasonBlock(report.reason), '');
  if (report.snapshotCommit) {
    const moved = report.snapshotCommit.movedTo
      ? ` (the branch had moved; committed on top of \`${report.snapshotCommit.movedTo.slice(0, 7)}\`${report.snapshotCommit.groupsChanged ? ', whose group changes are applied by their own run' : ''})`
      : '';
    out.push(`Snapshot committed as \`${report.snapshotCommit.sha.slice(0, 7)}\`${moved}.`, '');
  }
  if (report.snapshotCommitError) out.push('The snapshot could not be committed:', '', reasonBlock(report.snapshotCommitError), '');
  const next = nextStep(report);
  if (next) out.push(next, '');
  if (report.runUrl) out.push(`<sub>[Run log](${report.runUrl})</sub>`, '');
  return out.join('\n');
}

/** A request's batch ID, or what a customer-group request did. */
function requestResult(r: ReportedRequest): string {
  const notApplied = r.status === 'unknown' ? 'not confirmed yet' : r.status === 'partial' ? `${plural(r.notApplied ?? 0, 'row')} not applied` : undefined;
  if (r.batchId !== undefined) return notApplied ? `${r.batchId} (${notApplied})` : r.batchId;
  return `${r.target === 'customer' ? 'customer groups' : 'user groups'}, ${notApplied ?? 'applied'}`;
}

/** What a reader should do now. */
function nextStep(report: ApplyReport): string | undefined {
  if (report.snapshotCommitError) return '**Next:** re-run the workflow (*Re-run jobs*); it re-plans from the branch as it is now and sends only what is missing.';
  if (report.status === 'partial') {
    return '**Next:** the rows not applied are not recorded in the snapshot: the next apply (a re-run, or the next merge) sends them again. If they keep failing, fix them in the group files.';
  }
  if (report.status === 'failed' || report.status === 'interrupted') {
    return '**Next:** fix the cause, then re-run the workflow (*Re-run failed jobs*). The snapshot records what was acknowledged, so a re-run sends only what is left.';
  }
  if (report.status === 'refused') return '**Next:** if the change is intended, run the *groups-apply* workflow by hand with the override it names, or fix the group files in a new PR.';
  if (report.status === 'invalid') return '**Next:** fix the group files in a new PR; nothing was sent.';
  return undefined;
}
