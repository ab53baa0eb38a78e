import { createHash } from 'node:crypto';
import { planBatches, type PlannedBatch } from './batches.js';
import { diffMemberships, type Change } from './diff.js';
import { canonicalIdentity, type MembershipState } from './model.js';

/** What an apply would do: a plain, sorted value; rendering and applying both consume it. */
export interface Plan {
  readonly changes: readonly Change[];
  readonly batches: readonly PlannedBatch[];
  readonly summary: PlanSummary;
  /** sha256 over the requests the plan sends, in order: what `--expect-plan` compares. */
  readonly checksum: string;
}

export interface PlanSummary {
  /** Memberships to add (including re-sent members whose identities changed). */
  readonly add: number;
  /** Memberships to delete. */
  readonly delete: number;
  /** API calls. */
  readonly requests: number;
}

export interface PlanOptions {
  readonly maxItemsPerRequest?: number;
}

/** Diffs desired against applied memberships and batches the difference into requests. */
export function buildPlan(desired: MembershipState, applied: MembershipState, options: PlanOptions = {}): Plan {
  const changes = diffMemberships(desired, applied);
  const batches = planBatches(changes, options.maxItemsPerRequest);
  let add = 0;
  for (const c of changes) if (c.op === 'add') add++;
  return {
    changes,
    batches,
    summary: { add, delete: changes.length - add, requests: batches.length },
    checksum: checksumBatches(batches),
  };
}

/** A stable digest of the requests: the same desired and applied state always give the same checksum. */
export function checksumBatches(batches: readonly PlannedBatch[]): string {
  const hash = createHash('sha256');
  for (const b of batches) {
    hash.update(`${b.op}\n`);
    for (const item of b.items) {
      const dept = item.department ? `${item.department.field}=${item.department.value}` : '';
      hash.update(JSON.stringify([item.category, dept, item.groups, item.member.identities.map(canonicalIdentity)]));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

/** True when the plan sends nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.batches.length === 0;
}
