import { createHash } from 'node:crypto';
import { planBatches, type PlannedBatch } from './batches.js';
import { diffMemberships, type Change, type DiffMemo } from './diff.js';
import { identitiesJson, jsonString } from './json-text.js';
import type { Identity, MembershipState } from './model.js';

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
  /** Per-group diffs from the previous plan (`plan --watch`), so unchanged groups are not compared again. */
  readonly memo?: DiffMemo;
}

/** Diffs desired against applied memberships and batches the difference into requests. */
export function buildPlan(desired: MembershipState, applied: MembershipState, options: PlanOptions = {}): Plan {
  const changes = diffMemberships(desired, applied, options.memo);
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
  // Hashing in large pieces: one update per item costs more than the hashing itself at a million items.
  let buffer = '';
  for (const b of batches) {
    // User-group batches hash as they always did, so checksums of existing plans do not change.
    buffer += b.target === 'customer' ? `${b.op} customer\n` : `${b.op}\n`;
    for (const item of b.items) {
      const dept = item.department ? `${item.department.field}=${item.department.value}` : '';
      buffer += `${itemJson(item.category, dept, item.groups, item.member.identities)}\n`;
      if (buffer.length > 1 << 20) {
        hash.update(buffer);
        buffer = '';
      }
    }
  }
  hash.update(buffer);
  return hash.digest('hex');
}

/** Exactly `JSON.stringify([category, dept, groups, identities.map(canonicalIdentity)])`, without the intermediate objects. */
function itemJson(category: string, dept: string, groups: readonly string[], identities: readonly Identity[]): string {
  let out = `[${jsonString(category)},${jsonString(dept)},[`;
  for (let i = 0; i < groups.length; i++) out += (i > 0 ? ',' : '') + jsonString(groups[i]!);
  return `${out}],${identitiesJson(identities)}]`;
}

/** True when the plan sends nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.batches.length === 0;
}
