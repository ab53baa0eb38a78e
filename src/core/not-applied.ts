import type { BatchItem } from './batches.js';
import type { Member, Op } from './model.js';

/**
 * A request item (or some of its groups) that an endpoint reported as not applied, e.g. a row of
 * the customer endpoint's `errorData`. `index` is the item's position in the request.
 */
export interface ItemFailure {
  readonly index: number;
  readonly reason: string;
  /** The groups that failed; absent means every group of the item. */
  readonly groups?: readonly string[];
}

/** A membership row the API did not apply: not recorded, so the next apply plans it again. */
export interface FailedRow {
  readonly member: Member;
  readonly groups: readonly string[];
  readonly reason: string;
}

/** An answered request as the result renderers see it (the app's AppliedRequest fits). */
export interface AnsweredRequest {
  readonly op: Op;
  readonly items: number;
  readonly batchId?: string;
  readonly target?: 'customer';
  readonly status: 'accepted' | 'partial' | 'unknown';
  readonly failed: readonly FailedRow[];
  readonly message?: string;
}

/**
 * Splits a request's items into what the API confirmed and what it reported as failed. An item
 * whose failure names only some of its groups stays acknowledged for the others. Several failures
 * of one item merge (their groups and reasons). Failures pointing at no item are ignored here: the
 * adapter that produced them decides what an unmatched failure means.
 */
export function splitAcknowledged(items: readonly BatchItem[], failures: readonly ItemFailure[]): { acknowledged: BatchItem[]; failed: FailedRow[] } {
  const byIndex = new Map<number, { groups: Set<string>; reasons: string[] }>();
  for (const f of failures) {
    const item = items[f.index];
    if (!item) continue;
    let entry = byIndex.get(f.index);
    if (!entry) byIndex.set(f.index, (entry = { groups: new Set(), reasons: [] }));
    for (const g of f.groups ?? item.groups) if (item.groups.includes(g)) entry.groups.add(g);
    if (!entry.reasons.includes(f.reason)) entry.reasons.push(f.reason);
  }
  const acknowledged: BatchItem[] = [];
  const failed: FailedRow[] = [];
  items.forEach((item, i) => {
    const entry = byIndex.get(i);
    if (!entry || entry.groups.size === 0) {
      acknowledged.push(item);
      return;
    }
    const kept = item.groups.filter((g) => !entry.groups.has(g));
    if (kept.length > 0) acknowledged.push({ ...item, groups: kept });
    failed.push({ member: item.member, groups: item.groups.filter((g) => entry.groups.has(g)), reason: entry.reasons.join('; ') });
  });
  return { acknowledged, failed };
}
