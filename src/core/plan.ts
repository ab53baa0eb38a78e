import { createHash } from 'node:crypto';
import { planBatches, type PlannedBatch } from './batches.js';
import { diffMemberships, type Change, type DiffMemo } from './diff.js';
import { identitiesJson, jsonString } from './json-text.js';
import type { MembershipState } from './model.js';

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

/**
 * Items are hashed in runs of this many: one update per item costs more than the hashing itself at
 * a million items, and joining much longer arrays of pieces was measured twice as slow.
 */
const ITEMS_PER_UPDATE = 512;

/**
 * A stable digest of the requests: the same desired and applied state always give the same checksum.
 * It hashes, per request, its operation line, then per item the line
 * `JSON.stringify([category, dept, groups, identities.map(canonicalIdentity)])`; that text is written
 * directly, from pieces joined once per run of items (a string grown item by item would make a
 * million-node rope for the garbage collector), each group name's JSON written once per plan.
 */
export function checksumBatches(batches: readonly PlannedBatch[]): string {
  const hash = createHash('sha256');
  const nameJson = new Map<string, string>();
  let pieces: string[] = [];
  let items = 0;
  let context: { readonly item: PlannedBatch['items'][number]; readonly head: string } | undefined;
  for (const b of batches) {
    // User-group batches hash as they always did, so checksums of existing plans do not change.
    pieces.push(b.target === 'customer' ? `${b.op} customer\n` : `${b.op}\n`);
    for (const item of b.items) {
      if (context === undefined || context.item.category !== item.category || context.item.department !== item.department) {
        const dept = item.department ? `${item.department.field}=${item.department.value}` : '';
        context = { item, head: `[${jsonString(item.category)},${jsonString(dept)},[` };
      }
      pieces.push(context.head);
      for (let i = 0; i < item.groups.length; i++) {
        const name = item.groups[i]!;
        let json = nameJson.get(name);
        if (json === undefined) nameJson.set(name, (json = jsonString(name)));
        pieces.push(i > 0 ? ',' : '', json);
      }
      pieces.push('],', identitiesJson(item.member.identities), ']\n');
      if (++items === ITEMS_PER_UPDATE) {
        hash.update(pieces.join(''));
        pieces = [];
        items = 0;
      }
    }
  }
  hash.update(pieces.join(''));
  return hash.digest('hex');
}

/** True when the plan sends nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.batches.length === 0;
}
