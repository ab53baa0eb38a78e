import {
  compareStrings,
  groupKey,
  memberSignature,
  type GroupRef,
  type Member,
  type MembershipState,
  type Op,
} from './model.js';

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
 * Compares desired and applied memberships: adds = desired \ applied (plus members whose identities
 * changed under an unchanged key), deletes = applied \ desired. Sorted by group key, then member key.
 */
export function diffMemberships(desired: MembershipState, applied: MembershipState): Change[] {
  const changes: Change[] = [];
  const keys = new Set<string>([...desired.keys(), ...applied.keys()]);
  for (const gk of [...keys].sort(compareStrings)) {
    const want = desired.get(gk);
    const have = applied.get(gk);
    const group = (want ?? have)!.group;
    const groupChanges: Change[] = [];
    if (want) {
      for (const [mk, member] of want.members) {
        const before = have?.members.get(mk);
        if (!before) groupChanges.push({ op: 'add', group, groupKey: gk, memberKey: mk, member });
        else if (memberSignature(before) !== memberSignature(member)) {
          groupChanges.push({ op: 'add', group, groupKey: gk, memberKey: mk, member, previous: before });
        }
      }
    }
    if (have) {
      for (const [mk, member] of have.members) {
        if (!want?.members.has(mk)) groupChanges.push({ op: 'delete', group, groupKey: gk, memberKey: mk, member });
      }
    }
    groupChanges.sort((a, b) => compareStrings(a.memberKey, b.memberKey) || compareStrings(a.op, b.op));
    for (const c of groupChanges) changes.push(c);
  }
  return changes;
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
