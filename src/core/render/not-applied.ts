import { canonicalIdentity } from '../model.js';
import type { AnsweredRequest, FailedRow } from '../not-applied.js';
import { describeMember, plural } from './describe.js';
import { escapeMarkdown } from './escape-markdown.js';
import { maskValue } from './mask.js';
import { printable } from './printable.js';

export type { AnsweredRequest } from '../not-applied.js';

/** Rows listed before the rest are only counted. */
export const MAX_NOT_APPLIED_LINES = 200;

/** `add 3 items -> batch 1531…` or `add 3 items -> customer groups: 1 row not applied`. */
export function describeAnswer(r: Pick<AnsweredRequest, 'op' | 'items' | 'batchId'> & Partial<Pick<AnsweredRequest, 'target' | 'status' | 'failed'>>): string {
  const head = `${r.op} ${plural(r.items, 'item')}`;
  const status = r.status ?? 'accepted';
  if (r.batchId !== undefined && status === 'accepted') return `${head} -> batch ${r.batchId}`;
  const where = r.batchId !== undefined ? `batch ${r.batchId}` : r.target === 'customer' ? 'customer groups' : 'user groups';
  if (status === 'unknown') return `${head} -> ${where}: not confirmed yet (in progress), nothing recorded`;
  if (status === 'partial') return `${head} -> ${where}: ${plural(r.failed?.length ?? 0, 'row')} not applied`;
  return `${head} -> ${where}: applied`;
}

/** The number of rows (failed rows, and items of unconfirmed requests) an apply left pending. */
export function countNotApplied(requests: readonly AnsweredRequest[]): { failedRows: number; unconfirmedItems: number } {
  let failedRows = 0;
  let unconfirmedItems = 0;
  for (const r of requests) {
    failedRows += r.failed.length;
    if (r.status === 'unknown') unconfirmedItems += r.items;
  }
  return { failedRows, unconfirmedItems };
}

/**
 * What an apply left pending, one phrase per kind (`2 rows were not applied`, `1 item is not
 * confirmed yet`); absent when there is none of that kind. Callers join and annotate them.
 */
export function pendingPhrases(requests: readonly AnsweredRequest[]): { rows?: string; items?: string } {
  const { failedRows, unconfirmedItems } = countNotApplied(requests);
  return {
    ...(failedRows > 0 ? { rows: `${plural(failedRows, 'row')} ${failedRows === 1 ? 'was' : 'were'} not applied` } : {}),
    ...(unconfirmedItems > 0 ? { items: `${plural(unconfirmedItems, 'item')} ${unconfirmedItems === 1 ? 'is' : 'are'} not confirmed yet` } : {}),
  };
}

/**
 * What was not applied, for a terminal: each failed row with its groups and reason, and each
 * unconfirmed request with the API's message. Empty when everything was applied.
 */
export function notAppliedText(requests: readonly AnsweredRequest[], options: { mask: boolean }): string[] {
  const pending = requests.filter((r) => r.status !== 'accepted');
  if (pending.length === 0) return [];
  const lines = ['Not applied (not recorded in the snapshot; the next apply sends them again):'];
  let budget = MAX_NOT_APPLIED_LINES;
  let hidden = 0;
  for (const r of pending) {
    if (r.status === 'unknown') {
      lines.push(`  ${r.op} ${plural(r.items, 'item')} (${endpointName(r)}): not confirmed${r.message ? `: ${printable(r.message)}` : ''}`);
      continue;
    }
    for (const row of r.failed) {
      if (budget-- <= 0) {
        hidden++;
        continue;
      }
      lines.push(`  ${r.op} ${describeMember(row.member, options)} ${r.op === 'add' ? 'to' : 'from'} ${groupList(row.groups, r, printable)}: ${printable(row.reason)}`);
    }
  }
  if (hidden > 0) lines.push(`  … and ${plural(hidden, 'more row')} (--format json lists every row)`);
  return lines;
}

/** The same for Markdown (PR comments): text escaped, identity values masked unless told otherwise. */
export function notAppliedMarkdown(requests: readonly AnsweredRequest[], options: { mask: boolean }): string[] {
  const pending = requests.filter((r) => r.status !== 'accepted');
  if (pending.length === 0) return [];
  const lines = ['**Not applied** (not recorded in the snapshot; the next apply sends them again):', ''];
  let budget = MAX_NOT_APPLIED_LINES;
  let hidden = 0;
  for (const r of pending) {
    if (r.status === 'unknown') {
      lines.push(`- ${r.op} ${plural(r.items, 'item')} (${endpointName(r)}): not confirmed${r.message ? `: ${escapeMarkdown(r.message)}` : ''}`);
      continue;
    }
    for (const row of r.failed) {
      if (budget-- <= 0) {
        hidden++;
        continue;
      }
      lines.push(`- ${r.op} ${escapeMarkdown(describeMember(row.member, options))} ${r.op === 'add' ? 'to' : 'from'} ${groupList(row.groups, r, escapeMarkdown)}: ${escapeMarkdown(row.reason)}`);
    }
  }
  if (hidden > 0) lines.push(`- … and ${plural(hidden, 'more row')}`);
  return lines;
}

/** The JSON of a failed row: identities in canonical order, values masked when asked. */
export function failedRowJson(row: FailedRow, mask: boolean): Record<string, unknown> {
  return {
    member: { identities: row.member.identities.map(canonicalIdentity).map((i) => (mask ? { ...i, value: maskValue(i.value) } : i)) },
    groups: row.groups,
    reason: row.reason,
  };
}

function endpointName(r: Pick<AnsweredRequest, 'target'>): string {
  return r.target === 'customer' ? 'customer groups' : 'user groups';
}

function groupList(groups: readonly string[], r: Pick<AnsweredRequest, 'target'>, escape: (s: string) => string): string {
  return `${groups.map(escape).join(', ')}${r.target === 'customer' ? ' (customer group)' : ''}`;
}
