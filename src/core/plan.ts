import { createHash } from 'node:crypto';
import { MAX_ITEMS_PER_REQUEST, planGroupBatches, type BatchMemo, type PlannedBatch } from './batches.js';
import { diffCounted, type Change, type DiffMemo, type GroupDiff } from './diff.js';
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
  /** Items from the previous plan (`plan --watch`), so that unchanged contexts are not batched again. */
  readonly batchMemo?: BatchMemo;
}

/** Diffs desired against applied memberships and batches the difference into requests. */
export function buildPlan(desired: MembershipState, applied: MembershipState, options: PlanOptions = {}): Plan {
  const { changes, adds: add, removedGroups, groups } = diffCounted(desired, applied, options.memo);
  const maxItems = options.maxItemsPerRequest ?? MAX_ITEMS_PER_REQUEST;
  const batches = planGroupBatches(groups, maxItems, options.batchMemo);
  return {
    changes,
    batches,
    summary: { add, delete: changes.length - add, requests: batches.length },
    checksum: checksumChanges(groups, maxItems),
    removedGroups,
  };
}

/**
 * What the checksum text starts with: a new way of batching (or of writing this text) gets a new
 * version, so that a checksum taken by another version of groupops never matches by accident.
 */
const CHECKSUM_VERSION = 'groupops plan checksum 2';

/** Each group's digest, kept with its diff: `plan --watch` reuses the diff of every group it did not compare again, so only edited groups are hashed again. */
const groupDigests = new WeakMap<GroupDiff, string>();

/**
 * A stable digest of the requests the plan sends: the same desired and applied state always give
 * the same checksum, and any difference in what is sent gives another. The requests are a function
 * of the changes (planBatches is deterministic) and of the request size, so the digest is taken
 * over those: sha256 over `CHECKSUM_VERSION`, the request size, then per group with changes (in
 * group-key order) its key as JSON and the sha256 of its changes. A group's changes are hashed as
 * one line each, in member-key order: `+` (add) or `-` (delete), the member key framed by its
 * length (`19:phone␟13800000001␟␟`), then, when the member carries more than its key says (a
 * second identity, or the key identity's isWeChatEcosystem), `,` and
 * `JSON.stringify(identities.map(canonicalIdentity))`. Why per group: a re-plan after an edit
 * (`plan --watch`) hashes the edited group again, not a million changes; and hashing groups' lines
 * costs a fraction of hashing the batches' items (whose group lists differ item by item).
 */
export function checksumChanges(groups: readonly GroupDiff[], maxItems: number): string {
  const hash = createHash('sha256');
  hash.update(`${CHECKSUM_VERSION}\n${maxItems}\n`);
  let text = '';
  for (const g of groups) {
    let digest = groupDigests.get(g);
    if (digest === undefined) groupDigests.set(g, (digest = groupDigest(g.changes)));
    text += `${jsonString(g.groupKey)}:${digest}\n`;
    if (text.length >= 1 << 16) {
      hash.update(text);
      text = '';
    }
  }
  hash.update(text);
  return hash.digest('hex');
}

/** Lines are hashed in runs of this many: one update per line costs more than the hashing itself. */
const LINES_PER_UPDATE = 512;

function groupDigest(changes: readonly Change[]): string {
  const hash = createHash('sha256');
  // Pieces of up to LINES_PER_UPDATE lines, joined once: joining flat pieces is cheaper than making each line a string first.
  const pieces: string[] = [];
  let n = 0;
  for (const c of changes) {
    const ids = c.member.identities;
    // A lone surrogate would reach the hash as U+FFFD, as any other would: such a key goes as JSON,
    // which escapes the lone ones (raw keys start with their type's letters, JSON with a quote).
    const key = isWellFormed(c.memberKey) ? c.memberKey : jsonString(c.memberKey);
    pieces.push(c.op === 'add' ? '+' : '-', String(key.length), ':', key);
    if (ids.length > 1 || ids[0]!.isWeChatEcosystem !== undefined) pieces.push(',', identitiesJson(ids));
    pieces.push('\n');
    if (++n === LINES_PER_UPDATE) {
      hash.update(pieces.join(''));
      pieces.length = 0;
      n = 0;
    }
  }
  if (n > 0) hash.update(pieces.join(''));
  return hash.digest('hex');
}

/** String.prototype.isWellFormed (ES2024, in Node 20): no lone surrogate. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** The keys of the groups whose memberships the plan changes. */
export function changedGroupKeys(plan: Plan): Set<string> {
  const keys = new Set<string>();
  let last: string | undefined;
  // Changes come grouped by group: one set insertion per group, not per change.
  for (const c of plan.changes) if (c.groupKey !== last) keys.add((last = c.groupKey));
  return keys;
}

/** True when the plan sends nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.batches.length === 0;
}
