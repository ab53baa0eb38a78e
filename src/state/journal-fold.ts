import { groupKey, memberKey, type GroupMembers, type GroupRef, type Member, type MembershipState, type Op } from '../core/model.js';
import { recordMeta, type JournalHeader, type JournalItem, type JournalRecord } from './journal.js';
import type { LastApply, RecordedRequest, Snapshot } from './snapshot-format.js';

/**
 * An applied state that acknowledged requests are folded into. Copy-on-write per group: folding
 * costs the size of the groups it touches once, plus the size of each request, never the tenant
 * per request.
 */
export class AppliedStateBuilder {
  private readonly groups: Map<string, GroupMembers>;
  private readonly owned = new Set<string>();

  constructor(base: MembershipState) {
    this.groups = new Map(base);
  }

  /** Records what one acknowledged request did on the platform. */
  fold(op: Op, items: readonly JournalItem[]): void {
    for (const item of items) {
      const mk = memberKey(item.member);
      for (const name of item.groups) {
        const group: GroupRef =
          item.kind === 'customer'
            ? { name, category: item.category, kind: 'customer' }
            : item.department
              ? { name, category: item.category, department: item.department }
              : { name, category: item.category };
        const members = this.membersOf(group, op === 'add');
        if (!members) continue;
        if (op === 'add') members.set(mk, item.member);
        else members.delete(mk);
      }
    }
  }

  /** The state folded so far (groups left without members are dropped when rendered). */
  state(): MembershipState {
    return this.groups;
  }

  private membersOf(group: GroupRef, create: boolean): Map<string, Member> | undefined {
    const gk = groupKey(group);
    const current = this.groups.get(gk);
    if (!current && !create) return undefined;
    if (current && this.owned.has(gk)) return current.members as Map<string, Member>;
    const members = new Map<string, Member>(current?.members ?? []);
    this.groups.set(gk, { group: current?.group ?? group, members });
    this.owned.add(gk);
    return members;
  }
}

/** Requests in plan order, for the snapshot. */
export function recordedRequests(records: readonly JournalRecord[]): RecordedRequest[] {
  return [...records].sort((a, b) => a.index - b.index).map((r) => ({ op: r.op, items: r.items.length, ...recordMeta(r) }));
}

/**
 * The lastApply of an apply: an apply that continues an incomplete one keeps that one's batch IDs
 * first, so no acknowledged batch ID drops out of the snapshot before an apply completes.
 */
export function lastApplyOf(
  header: Pick<JournalHeader, 'applyId' | 'commit' | 'endpoint' | 'toolVersion'>,
  previous: LastApply | null,
  requests: readonly RecordedRequest[],
  time: string,
  complete: boolean,
): LastApply {
  const carried = previous && !previous.complete ? previous.requests : [];
  return {
    commit: header.commit,
    time,
    toolVersion: header.toolVersion,
    endpoint: header.endpoint,
    complete,
    applyId: header.applyId,
    requests: [...carried, ...requests],
  };
}

/**
 * The snapshot a pending journal describes: its acknowledged requests folded into the snapshot it
 * was written against. The apply it records did not finish (or it would have folded the journal
 * itself), so lastApply says incomplete.
 */
export function foldJournal(snapshot: Snapshot, header: JournalHeader, records: readonly JournalRecord[]): Snapshot {
  const builder = new AppliedStateBuilder(snapshot.applied);
  // Deletes and adds of one apply never touch the same membership, and all deletes are sent first:
  // folding in file order reproduces the platform's state.
  for (const r of records) builder.fold(r.op, r.items);
  return {
    applied: builder.state(),
    lastApply: lastApplyOf(header, snapshot.lastApply, recordedRequests(records), header.started, false),
  };
}
