import { isComplete, type ApplyFailure, type ApplyProvenance, type ApplyReport, type ApplyStatus } from '../apply-report.js';
import { formatIssue } from '../../errors/index.js';
import type { AnsweredRequest } from '../not-applied.js';
import { planCounts, plural } from './describe.js';
import { codeFence, codeSpan } from './escape-markdown.js';
import { renderJsonChunks, FORMAT_VERSION } from './json.js';
import { jsonChunks } from './json-chunks.js';
import { renderMarkdown } from './markdown.js';
import { maskIssue } from './mask-issue.js';
import { countNotApplied, describeAnswer, notAppliedMarkdown, notAppliedText, pendingPhrases } from './not-applied.js';

/** Where the report is read: the next step a reader is told differs. */
export type ReportPlace = 'local' | 'github';

const HEADLINE: Record<ApplyStatus, string> = {
  applied: '✅ applied',
  unchanged: '✅ nothing to apply',
  partial: '⚠️ partly applied',
  failed: '❌ failed',
  interrupted: '⚠️ interrupted',
  refused: '⛔ refused by a safety limit',
  cancelled: '✋ cancelled (not approved)',
  invalid: '❌ invalid input',
};

/**
 * The result for a terminal, after the plan: what was sent and acknowledged, what was not applied,
 * the snapshot, and what to do next. Empty for an apply that stopped before reading the snapshot
 * (its error is printed on stderr).
 */
export function renderApplyText(report: ApplyReport, options: { mask: boolean }): string[] {
  const snapshot = report.snapshot;
  if (!snapshot || !report.plan) return [];
  const out: string[] = [];
  if (report.recovered > 0) out.push(`Recovered ${plural(report.recovered, 'acknowledged request')} of an interrupted apply from its journal into ${snapshot.path}.`);
  const total = report.plan.batches.length;
  const acked = report.requests.length;
  if (report.status === 'unchanged') {
    out.push('Nothing to apply: nothing was sent.');
    if (snapshot.written) out.push(`Snapshot written: ${snapshot.path} (${plural(snapshot.memberships, 'membership')}). Commit it.`);
    return out;
  }
  if (report.status === 'applied') out.push(`Applied ${plural(acked, 'request')}:`);
  else if (report.status === 'partial') out.push(`Sent ${plural(acked, 'request')}, but ${pendingSummary(report.requests)}:`);
  else {
    // When the journal could not be written, the API acknowledged more than was recorded: say recorded.
    const done = report.failure?.code === 'FILE_SYSTEM' ? 'recorded' : 'acknowledged';
    out.push(acked === 0 ? `Stopped before any of ${plural(total, 'request')} was ${done}.` : `Stopped after ${acked} of ${plural(total, 'request')}; ${done}:`);
  }
  for (const r of report.requests) out.push(`  ${describeAnswer(r)}`);
  out.push(...notAppliedText(report.requests, options));
  if (snapshot.written) {
    out.push(`Snapshot written: ${snapshot.path} (${plural(snapshot.memberships, 'membership')}${report.status === 'applied' ? '' : ', recording exactly what the API confirmed'}). Commit it.`);
  } else out.push(snapshot.exists === false ? `No snapshot was written: nothing was acknowledged, and there is no ${snapshot.path} yet.` : `The snapshot ${snapshot.path} is unchanged.`);
  if (report.status === 'partial') out.push('Run groupops apply again to retry what was not applied.');
  // A refusal (401, 403, a rejected request) comes back the same until its cause is fixed.
  else if (report.failure?.retryable === false) out.push('Fix what the error names before running groupops apply again: the same request would get the same answer.');
  else if (report.status !== 'applied') out.push('Run groupops apply again to send the rest.');
  return out;
}

/** "2 rows were not applied and 3 items are not confirmed yet". */
export function pendingSummary(requests: readonly AnsweredRequest[]): string {
  const { rows, items } = pendingPhrases(requests);
  return [rows, items].filter((p) => p !== undefined).join(' and ');
}

export interface ApplyMarkdownOptions {
  /** Mask identity values (rows not applied, the values invalid-input issues quote). */
  readonly mask: boolean;
  readonly place: ReportPlace;
  /** Put the hidden marker of the sticky result comment first. */
  readonly marker?: string;
  /** Show the plan (its changes per group) below the result. */
  readonly withPlan?: boolean;
}

/** The result as Markdown: the merged PR's comment, the job summary, `apply --format markdown`. */
export function renderApplyMarkdown(report: ApplyReport, provenance: ApplyProvenance, options: ApplyMarkdownOptions): string {
  const out: string[] = [];
  if (options.marker) out.push(options.marker);
  // Invalid input says which: the group files, the config or the snapshot.
  const headline = report.status === 'invalid' && report.failure?.summary ? `❌ ${report.failure.summary}` : HEADLINE[report.status];
  out.push(`### groupops apply: ${headline}`, '');
  const where = provenance.appliedCommit ? `\`${provenance.appliedCommit.slice(0, 7)}\`${provenance.branch !== undefined ? ` on ${codeSpan(provenance.branch)}` : ''}` : undefined;
  if (report.plan) out.push(`${where ? `Plan for ${where}` : 'Plan'}: ${planCounts(report.plan.summary)}.`, '', `Plan checksum: \`${report.plan.checksum}\``);
  else if (where) out.push(`Commit ${where}.`);
  out.push('');
  if (report.recovered > 0) out.push(`Recovered ${plural(report.recovered, 'acknowledged request')} of an interrupted apply from its journal.`, '');
  if (report.requests.length > 0) {
    const of = report.plan ? ` of ${report.plan.batches.length}` : '';
    out.push(`Acknowledged requests (${report.requests.length}${of}):`, '', '| # | op | items | batch ID |', '|---:|---|---:|---|');
    report.requests.forEach((r, i) => out.push(`| ${i + 1} | ${r.op} | ${r.items} | ${batchCell(r)} |`));
    out.push('');
    const pending = notAppliedMarkdown(report.requests, { mask: options.mask });
    if (pending.length > 0) out.push(...pending, '');
  } else if (report.status !== 'unchanged') out.push('No request was acknowledged: nothing changed on the platform.', '');
  const reason = reasonOf(report, options.mask);
  if (reason) out.push(report.status === 'refused' ? 'Refused:' : 'Reason:', '', reasonBlock(reason), '');
  out.push(...snapshotLines(report));
  const next = nextStep(report, options.place);
  if (next) out.push(next, '');
  if (provenance.runUrl) out.push(`<sub>[Run log](${provenance.runUrl})</sub>`, '');
  if (options.withPlan && report.plan) out.push(renderMarkdown(report.plan, { mask: options.mask, title: 'The plan' }));
  return out.join('\n');
}

/**
 * The result as one JSON document (`apply --format json`): the plan's document (summary, checksum,
 * changes, requests) with the acknowledged batches, then status, complete, the snapshot and the
 * error; without a plan (it stopped before one was made), formatVersion, status, complete, batches
 * and the error.
 */
export function renderApplyJsonChunks(report: ApplyReport, options: { mask: boolean; pretty?: boolean }): Iterable<Uint8Array> {
  const extra = {
    status: report.status,
    complete: isComplete(report),
    ...(report.status === 'partial' ? { notApplied: countNotApplied(report.requests) } : {}),
    ...(report.snapshot ? { snapshot: report.snapshot } : {}),
    ...(report.recovered > 0 ? { recovered: report.recovered } : {}),
    ...(report.failure ? { error: errorJson(report.failure, options.mask) } : {}),
  };
  const pretty = options.pretty === true;
  if (report.plan) return renderJsonChunks(report.plan, { mask: options.mask, batches: report.requests, extra, pretty });
  return (function* () {
    yield* jsonChunks([['formatVersion', FORMAT_VERSION], ['batches', []], ...Object.entries(extra)], pretty);
  })();
}

/** An error in a JSON document: code and message, and for invalid input every issue (values masked when asked). */
export function errorJson(failure: ApplyFailure, mask: boolean): Record<string, unknown> {
  const shown = mask ? maskedFailure(failure) : failure;
  return {
    code: shown.code,
    message: shown.message,
    ...(shown.issues ? { issues: shown.issues.map(({ file, line, column, message }) => ({ file, line, column, message })) } : {}),
  };
}

/**
 * The snapshot commit's message: what was applied and every batch ID, exact, in plan order, then
 * the provenance as git trailers. It has no `[skip ci]`: that would also skip the project's own CI;
 * the apply workflow's `paths` filter and GitHub's rule that GITHUB_TOKEN pushes start no workflow
 * keep it from triggering an apply.
 */
export function renderSnapshotCommitMessage(report: ApplyReport, provenance: ApplyProvenance): string {
  const n = report.requests.length;
  const commit = (provenance.appliedCommit ?? 'the working tree').slice(0, 7);
  const pending = report.requests.reduce((k, r) => k + (r.status === 'unknown' ? r.items : r.failed.length), 0);
  const title =
    report.status === 'partial'
      ? `groupops: partial apply of ${commit} (${plural(n, 'request')}, ${plural(pending, 'row')} not applied)`
      : !isComplete(report)
        ? `groupops: partial apply of ${commit} (${n} of ${report.plan?.batches.length ?? '?'} requests acknowledged)`
        : `groupops: apply ${commit} (${plural(n, 'request')})`;
  const lines = [title, ''];
  if (report.plan) lines.push(`Plan: ${planCounts(report.plan.summary)}.`, `Plan checksum: ${report.plan.checksum}`);
  lines.push('', 'Batch IDs (in the order of the plan):');
  if (n === 0) lines.push('- none');
  for (const r of report.requests) lines.push(`- ${r.op} ${plural(r.items, 'item')}: ${requestResult(r)}`);
  // The commit message is public in a public repository: the reason is masked as the comment is.
  const reason = reasonOf(report, true);
  if (!isComplete(report) && reason) lines.push('', `Stopped: ${reason.split('\n')[0]}`);
  const trailers = [...(provenance.appliedCommit ? [`Groupops-Applied-Commit: ${provenance.appliedCommit}`] : []), ...(provenance.runUrl ? [`Groupops-Run: ${provenance.runUrl}`] : [])];
  if (trailers.length > 0) lines.push('', ...trailers);
  return `${lines.join('\n')}\n`;
}

/**
 * Why the apply did not finish, in words: the failure's message (the values its issues quote
 * masked when asked), or for a partial apply what was left pending and the API's reasons.
 */
export function reasonOf(report: ApplyReport, mask: boolean): string | undefined {
  if (report.status === 'partial') {
    const reasons = [...new Set(report.requests.flatMap((r) => r.failed.map((f) => f.reason)))].slice(0, 5);
    const { rows, items } = pendingPhrases(report.requests);
    return (
      [...(rows ? [`${rows}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`] : []), ...(items ? [`${items} (import in progress)`] : [])].join('; ') +
      '; the snapshot records only what the API confirmed, and the next apply sends the rest again'
    );
  }
  if (report.status === 'interrupted') return 'the apply was interrupted before every request was sent';
  if (!report.failure) return undefined;
  return (mask ? maskedFailure(report.failure) : report.failure).message;
}

/** A failure with the identity values its issues quote masked, in the issues and in the message. */
function maskedFailure(failure: ApplyFailure): ApplyFailure {
  if (!failure.issues) return failure;
  const issues = failure.issues.map(maskIssue);
  return { ...failure, issues, message: `${failure.summary ?? `${plural(issues.length, 'problem')} found`}:\n${issues.map(formatIssue).join('\n')}` };
}

/** A reason (an error message) shown as a code block that its text cannot close. */
export function reasonBlock(text: string): string {
  const fence = codeFence(text);
  return `${fence}text\n${text}\n${fence}`;
}

function snapshotLines(report: ApplyReport): string[] {
  const c = report.snapshotCommit;
  if (c && 'sha' in c) {
    const moved = c.movedTo ? ` (the branch had moved; committed on top of \`${c.movedTo.slice(0, 7)}\`${c.groupsChanged ? ', whose group changes are applied by their own run' : ''})` : '';
    return [`Snapshot committed as \`${c.sha.slice(0, 7)}\`${moved}.`, ''];
  }
  if (c) return ['The snapshot could not be committed:', '', reasonBlock(c.error), ''];
  const s = report.snapshot;
  if (!s || report.snapshotCommit !== undefined) return [];
  if (s.written)
    return [`Snapshot written: ${codeSpan(s.path)} (${plural(s.memberships, 'membership')}${report.status === 'applied' ? '' : ', recording exactly what the API confirmed'}). Commit it.`, ''];
  if (s.exists === false) return [`No snapshot was written: nothing was acknowledged, and there is no ${codeSpan(s.path)} yet.`, ''];
  return [`The snapshot ${codeSpan(s.path)} is unchanged.`, ''];
}

/** The batch ID cell of a result table; customer-group requests have none. */
function batchCell(r: AnsweredRequest): string {
  if (r.batchId !== undefined) return `\`${r.batchId}\`${r.status === 'accepted' ? '' : ` (${r.status === 'partial' ? `${plural(r.failed.length, 'row')} not applied` : 'not confirmed yet'})`}`;
  return r.status === 'accepted' ? 'customer groups: applied' : r.status === 'partial' ? `customer groups: ${plural(r.failed.length, 'row')} not applied` : 'customer groups: not confirmed';
}

/** A request's batch ID, or what a customer-group request did (commit messages). */
function requestResult(r: AnsweredRequest): string {
  const notApplied = r.status === 'unknown' ? 'not confirmed yet' : r.status === 'partial' ? `${plural(r.failed.length, 'row')} not applied` : undefined;
  if (r.batchId !== undefined) return notApplied ? `${r.batchId} (${notApplied})` : r.batchId;
  return `${r.target === 'customer' ? 'customer groups' : 'user groups'}, ${notApplied ?? 'applied'}`;
}

/** What a reader should do now. */
function nextStep(report: ApplyReport, place: ReportPlace): string | undefined {
  const again = place === 'github' ? 're-run the workflow (*Re-run failed jobs*)' : 'run groupops apply again';
  if (report.snapshotCommit && 'error' in report.snapshotCommit) {
    return '**Next:** re-run the workflow (*Re-run jobs*); it re-plans from the branch as it is now and sends only what is missing.';
  }
  if (report.status === 'partial') {
    return `**Next:** the rows not applied are not recorded in the snapshot: the next apply (${place === 'github' ? 'a re-run, or the next merge' : 'groupops apply'}) sends them again. If they keep failing, fix them in the group files.`;
  }
  if (report.status === 'failed' || report.status === 'interrupted') {
    return `**Next:** fix the cause, then ${again}. The snapshot records what was acknowledged, so ${place === 'github' ? 'a re-run' : 'the next apply'} sends only what is left.`;
  }
  if (report.status === 'refused') {
    return place === 'github'
      ? '**Next:** if the change is intended, run the *groups-apply* workflow by hand (*Run workflow*) with the override it names (*allow-mass-delete*), or fix the group files in a new PR.'
      : '**Next:** if the change is intended, run again with the override it names; otherwise fix the group files.';
  }
  if (report.status === 'cancelled') return '**Next:** run groupops apply again and answer `yes`, or pass --auto-approve; nothing was sent.';
  if (report.status === 'invalid') return place === 'github' ? '**Next:** fix the input it names in a new PR; nothing was sent.' : '**Next:** fix the input it names; nothing was sent.';
  return undefined;
}
