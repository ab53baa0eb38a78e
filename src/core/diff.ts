import { compareStrings, groupKey, type GroupRef, type Identity, type Member, type MembershipState, type Op } from './model.js';
import { sortedMembersOf, type SortedMembers } from './sorted-members.js';

/** One membership to add or delete. */
export interface Change {
  readonly op: Op;
  readonly group: GroupRef;
  readonly groupKey: string;
  readonly memberKey: string;
  /** For an add, the desired member; for a delete, the member as applied (its identities are what the API must be sent). */
  readonly member: Member;
  /** An add of a member whose key was applied with other identities: re-sent, not deleted first. */
  readonly previous?: Member;
}

/**
 * Per-group diffs kept between runs of `plan --watch`: a group whose desired and applied member
 * maps are the very same objects as last time has the same changes, so only edited groups are
 * compared again. Member maps are never mutated once built, which is what makes this sound.
 */
export class DiffMemo {
  private entries = new Map<string, { want: unknown; have: unknown; diff: GroupDiff }>();
  private next = new Map<string, { want: unknown; have: unknown; diff: GroupDiff }>();
  /** Groups reused and compared in the last diff (for tests and the bench). */
  readonly stats = { reused: 0, compared: 0 };

  /** @internal */
  get(gk: string, want: unknown, have: unknown): GroupDiff | undefined {
    const e = this.entries.get(gk);
    return e && e.want === want && e.have === have ? e.diff : undefined;
  }

  /** @internal */
  set(gk: string, want: unknown, have: unknown, diff: GroupDiff): void {
    this.next.set(gk, { want, have, diff });
  }

  /** @internal Ends a diff: groups not seen in it are forgotten. */
  commit(): void {
    this.entries = this.next;
    this.next = new Map();
  }
}

/** One group's changes (sorted by member key), and how many of them are adds. */
export interface GroupDiff {
  readonly groupKey: string;
  readonly group: GroupRef;
  readonly changes: readonly Change[];
  readonly adds: number;
}

/**
 * Compares desired and applied memberships: adds = desired \ applied (plus members whose identities
 * changed under an unchanged key), deletes = applied \ desired. Sorted by group key, then member key.
 * With a memo, groups whose member maps did not change since the last call are not compared again.
 */
export function diffMemberships(desired: MembershipState, applied: MembershipState, memo?: DiffMemo): Change[] {
  return diffCounted(desired, applied, memo).changes;
}

/**
 * diffMemberships, with the number of adds among the changes (counted per group, as they are made)
 * and the diff of each group that has changes (in order; a memo hands back the very same objects
 * for the groups it did not compare again).
 */
export function diffCounted(desired: MembershipState, applied: MembershipState, memo?: DiffMemo): { changes: Change[]; adds: number; removedGroups: string[]; groups: GroupDiff[] } {
  const keys = new Set<string>(desired.keys());
  for (const k of applied.keys()) keys.add(k);
  if (memo) {
    memo.stats.reused = 0;
    memo.stats.compared = 0;
  }
  const diffs: GroupDiff[] = [];
  let total = 0;
  let adds = 0;
  const removedGroups: string[] = [];
  for (const gk of [...keys].sort(compareStrings)) {
    const want = desired.get(gk);
    const have = applied.get(gk);
    // Applied, and declared by no group file any more: its file was removed (or renamed the group).
    if (want === undefined && have !== undefined && have.members.size > 0) removedGroups.push(gk);
    let diff = memo?.get(gk, want?.members, have?.members);
    if (diff) memo!.stats.reused++;
    else {
      diff = diffGroup(gk, (want ?? have)!.group, want?.members, have?.members);
      if (memo) memo.stats.compared++;
    }
    memo?.set(gk, want?.members, have?.members, diff);
    if (diff.changes.length > 0) diffs.push(diff);
    total += diff.changes.length;
    adds += diff.adds;
  }
  memo?.commit();
  // Copied into a list made at its size: pushing a million changes one by one grows it step by step.
  const changes: Change[] = new Array<Change>(total);
  let k = 0;
  for (const d of diffs) for (let i = 0; i < d.changes.length; i++) changes[k++] = d.changes[i]!;
  return { changes, adds, removedGroups, groups: diffs };
}

function diffGroup(gk: string, group: GroupRef, want: ReadonlyMap<string, Member> | undefined, have: ReadonlyMap<string, Member> | undefined): GroupDiff {
  // The very same members on both sides (a group taken as unchanged since the last apply, see
  // core/group-source.ts): nothing to compare, and their lines are never parsed.
  if (want !== undefined && want === have) return { groupKey: gk, group, changes: [], adds: 0 };
  return diffSorted(gk, group, want && sortedMembersOf(want), have && sortedMembersOf(have));
}

/**
 * The diff of two sides in key order, walked in step: no lookups, and the changes come out sorted by
 * member key (a key is once in a group, so an add and a delete never share one). Desired groups
 * come in key order (see MemberIndex), and so do a snapshot's; a side that does not (a snapshot
 * with a pending journal folded in, a map built by hand) is sorted once.
 */
function diffSorted(gk: string, group: GroupRef, want: SortedMembers | undefined, have: SortedMembers | undefined): GroupDiff {
  const out: Change[] = [];
  let adds = 0;
  const wants = want?.size ?? 0;
  const haves = have?.size ?? 0;
  let i = 0;
  let j = 0;
  while (i < wants || j < haves) {
    const wk = i < wants ? want!.keyAt(i) : undefined;
    const hk = j < haves ? have!.keyAt(j) : undefined;
    if (hk === undefined || (wk !== undefined && wk < hk)) {
      out.push({ op: 'add', group, groupKey: gk, memberKey: wk!, member: want!.memberAt(i++) });
      adds++;
    } else if (wk === undefined || hk < wk) {
      out.push({ op: 'delete', group, groupKey: gk, memberKey: hk, member: have!.memberAt(j++) });
    } else {
      const member = want!.memberAt(i++);
      const before = have!.memberAt(j++);
      if (sameIdentities(before, member)) continue;
      out.push({ op: 'add', group, groupKey: gk, memberKey: wk, member, previous: before });
      adds++;
    }
  }
  return { groupKey: gk, group, changes: out, adds };
}

/**
 * True when two members have the same identities in the same order (the fields memberSignature
 * covers), compared field by field: a plan of a million members must not serialize each one.
 */
export function sameIdentities(a: Member, b: Member): boolean {
  if (a === b) return true;
  const x = a.identities;
  const y = b.identities;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameIdentity(x[i]!, y[i]!)) return false;
  return true;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.type === b.type && a.value === b.value && a.platform === b.platform && a.appid === b.appid && a.isWeChatEcosystem === b.isWeChatEcosystem;
}

/** Builds a membership state from a list of (group, member) pairs; later duplicates replace earlier ones. */
export function stateFromGroups(groups: Iterable<{ group: GroupRef; members: Iterable<[string, Member]> }>): MembershipState {
  const state = new Map<string, { group: GroupRef; members: Map<string, Member> }>();
  for (const { group, members } of groups) {
    const gk = groupKey(group);
    let entry = state.get(gk);
    if (!entry) {
      entry = { group, members: new Map() };
      state.set(gk, entry);
    }
    for (const [mk, m] of members) entry.members.set(mk, m);
  }
  return state;
}
