import { createHash } from 'node:crypto';
import { planBatches, type PlannedBatch } from './batches.js';
import { diffCounted, type Change, type DiffMemo } from './diff.js';
import { identitiesJson, jsonString } from './json-text.js';
import type { MembershipState } from './model.js';

/** What an apply would do: a plain, sorted value; rendering and applying both consume it. */
export interface Plan {
  readonly changes: readonly Change[];
  readonly batches: readonly PlannedBatch[];
  readonly summary: PlanSummary;
  /** sha256 over the requests the plan sends, in order: what `--expect-plan` compares. */
  readonly checksum: string;
  /**
   * Keys of the applied groups that no group file declares any more (their file was removed, or
   * renamed the group): every membership of theirs is deleted, the group itself stays on the platform.
   */
  readonly removedGroups?: readonly string[];
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
  const { changes, adds: add, removedGroups } = diffCounted(desired, applied, options.memo);
  const batches = planBatches(changes, options.maxItemsPerRequest);
  return {
    changes,
    batches,
    summary: { add, delete: changes.length - add, requests: batches.length },
    checksum: checksumBatches(batches),
    removedGroups,
  };
}

/**
 * Items are hashed in runs of this many: one update per item costs more than the hashing itself at
 * a million items, and joining much longer arrays of pieces was measured twice as slow.
 */
const ITEMS_PER_UPDATE = 512;

const SURROGATE = /[\ud800-\udfff]/;

/**
 * A stable digest of the requests: the same desired and applied state always give the same checksum.
 * It hashes a text of lines: per request its operation (`add`, `delete`, `add customer`…); where the
 * items' context changes, `@[category, dept]`; the first time a group name appears, `=` + its JSON
 * (it is then named by its number, in order of appearance); per item `[groups]` as those numbers,
 * then the member key framed by its length (`19:phone␟13800000001␟␟`), then, when the member carries
 * more than its key says (a second identity, or the key identity's isWeChatEcosystem), `,` +
 * `JSON.stringify(identities.map(canonicalIdentity))`. Every kind of line starts with its own
 * character, so the text reads back one way only.
 * Why so: at a million items, the cost was the text, not the hashing. Group names are written once
 * (a Chinese name in every item made every run of items a two-byte string, slow to encode), and the
 * member key is a flat string the plan already holds, so most items add no text of their own. Runs
 * of items are joined once per ITEMS_PER_UPDATE (a string grown item by item would make a
 * million-node rope for the garbage collector).
 */
export function checksumBatches(batches: readonly PlannedBatch[]): string {
  const hash = createHash('sha256');
  const names = new Map<string, string>();
  let pieces: string[] = [];
  let items = 0;
  const flush = (): void => {
    hash.update(pieces.join(''));
    pieces = [];
    items = 0;
  };
  let context: PlannedBatch['items'][number] | undefined;
  let groups: readonly string[] | undefined;
  let numbers = '';
  for (const b of batches) {
    pieces.push(b.target === 'customer' ? `${b.op} customer\n` : `${b.op}\n`);
    for (const item of b.items) {
      // By value: the same department may be one object or several, depending on where the state was read.
      if (context === undefined || context.category !== item.category || context.department?.field !== item.department?.field || context.department?.value !== item.department?.value) {
        const dept = item.department ? `${item.department.field}=${item.department.value}` : '';
        pieces.push(`@[${jsonString(item.category)},${jsonString(dept)}]\n`);
        context = item;
      }
      // Names are defined before the item's line, each on a line hashed on its own: rare, and kept
      // out of the runs of items so that those stay one-byte text. Items of one group share its
      // one-name list (see planBatches), so their numbers are written out once per change of list.
      if (item.groups !== groups) {
        for (const name of item.groups) {
          if (names.has(name)) continue;
          names.set(name, String(names.size));
          flush();
          hash.update(`=${jsonString(name)}\n`);
        }
        groups = item.groups;
        numbers = `[${groups.map((name) => names.get(name)!).join(',')}],`;
      }
      const ids = item.member.identities;
      // A lone surrogate would reach the hash as U+FFFD, as any other would: a key with surrogates goes
      // as JSON, which escapes the lone ones (raw keys start with their type's letters, JSON with a quote).
      const key = SURROGATE.test(item.memberKey) ? jsonString(item.memberKey) : item.memberKey;
      // One piece per item: the join below flattens it (seven pieces per item cost twice the time).
      const more = ids.length > 1 || ids[0]!.isWeChatEcosystem !== undefined ? `,${identitiesJson(ids)}` : '';
      pieces.push(`${numbers}${key.length}:${key}${more}]\n`);
      if (++items === ITEMS_PER_UPDATE) flush();
    }
  }
  flush();
  return hash.digest('hex');
}

/** True when the plan sends nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.batches.length === 0;
}
