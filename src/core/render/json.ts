import { canonicalGroup, canonicalIdentity, type Op } from '../model.js';
import type { Plan } from '../plan.js';
import { maskValue } from './mask.js';

/** A request that was sent and acknowledged. */
export interface AppliedBatch {
  readonly op: Op;
  readonly items: number;
  readonly batchId: string;
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
      items: b.items.length,
      memberships: b.items.reduce((n, i) => n + i.groups.length, 0),
    })),
    batches: (options.batches ?? []).map((b) => ({ op: b.op, items: b.items, batchId: b.batchId })),
    ...options.extra,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function jsonGroup(group: Plan['changes'][number]['group']): Record<string, unknown> {
  const g = canonicalGroup(group);
  return g.department ? { name: g.name, category: g.category, department: { [g.department.field]: g.department.value } } : { name: g.name, category: g.category };
}
