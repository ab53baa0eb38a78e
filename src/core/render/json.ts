import { canonicalGroup, canonicalIdentity, type Op } from '../model.js';
import type { Plan } from '../plan.js';
import type { FailedRow } from '../not-applied.js';
import { maskValue } from './mask.js';
import { failedRowJson } from './not-applied.js';

/** A request that was sent and answered. */
export interface AppliedBatch {
  readonly op: Op;
  readonly items: number;
  /** Absent for the customer-group endpoint, which answers without a batch ID. */
  readonly batchId?: string;
  readonly target?: 'customer';
  /** Absent (or accepted): everything applied; partial: `failed` rows were not; unknown: nothing confirmed yet. */
  readonly status?: 'accepted' | 'partial' | 'unknown';
  readonly failed?: readonly FailedRow[];
  readonly message?: string;
}

export interface JsonOptions {
  readonly mask: boolean;
  /** Filled by apply: the acknowledged requests. */
  readonly batches?: readonly AppliedBatch[];
  /** Extra top-level fields (e.g. apply's status), placed after the plan's. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * The plan as one JSON document in a stable order: summary, checksum, changes, planned requests,
 * and (for apply) the batches with their exact decimal batch IDs.
 */
export function renderJson(plan: Plan, options: JsonOptions): string {
  const id = (i: ReturnType<typeof canonicalIdentity>) => (options.mask ? { ...i, value: maskValue(i.value) } : i);
  const doc = {
    summary: plan.summary,
    checksum: plan.checksum,
    changes: plan.changes.map((c) => ({
      op: c.op,
      group: jsonGroup(c.group),
      member: { identities: c.member.identities.map(canonicalIdentity).map(id) },
      ...(c.previous ? { previous: { identities: c.previous.identities.map(canonicalIdentity).map(id) } } : {}),
    })),
    requests: plan.batches.map((b) => ({
      op: b.op,
      ...(b.target === 'customer' ? { target: 'customer' } : {}),
      items: b.items.length,
      memberships: b.items.reduce((n, i) => n + i.groups.length, 0),
    })),
    batches: (options.batches ?? []).map((b) => ({
      op: b.op,
      items: b.items,
      ...(b.batchId !== undefined ? { batchId: b.batchId } : {}),
      ...(b.target === 'customer' ? { target: 'customer' } : {}),
      ...(b.status !== undefined && b.status !== 'accepted' ? { status: b.status } : {}),
      ...(b.failed && b.failed.length > 0 ? { failed: b.failed.map((row) => failedRowJson(row, options.mask)) } : {}),
      ...(b.message !== undefined && b.status !== undefined && b.status !== 'accepted' ? { message: b.message } : {}),
    })),
    ...options.extra,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function jsonGroup(group: Plan['changes'][number]['group']): Record<string, unknown> {
  if (group.kind === 'customer') return { name: group.name, kind: 'customer' };
  const g = canonicalGroup(group);
  return g.department ? { name: g.name, category: g.category, department: { [g.department.field]: g.department.value } } : { name: g.name, category: g.category };
}
