import { contextKey, groupKey, memberKey, type GroupMembers, type GroupRef, type Member, type MembershipState, type Op } from '../core/model.js';
import { recordMeta, type JournalHeader, type JournalItem, type JournalRecord, type RecordMeta } from './journal.js';
import type { LastApply, RecordedRequest, Snapshot } from './snapshot-format.js';

/** The groups of one context (category and department, or customer), by name. */
type ContextGroups = Map<string, Map<string, Member>>;

/**
 * An applied state that acknowledged requests are folded into. Copy-on-write per group: folding
 * costs the size of the groups it touches once, plus the size of each request, never the tenant
 * per request.
 */
export class AppliedStateBuilder {
  private readonly groups: Map<string, GroupMembers>;
  /** Member maps already copied (owned), by context and group name: a fold touches a million memberships without building a key per membership. */
  private readonly owned = new Map<string, ContextGroups>();

  constructor(base: MembershipState) {
    this.groups = new Map(base);
  }

  /** Records what one acknowledged request did on the platform (`items`: what the API confirmed). */
  fold(op: Op, items: readonly JournalItem[]): void {
    let lastContext: ContextGroups | undefined;
    let lastItem: JournalItem | undefined;
    for (const item of items) {
      const mk = memberKey(item.member);
      // Items of one context usually follow each other: the context's groups are looked up once per run.
      const context = lastItem !== undefined && sameContext(lastItem, item) ? lastContext! : this.contextOf(item);
      lastItem = item;
      lastContext = context;
      for (const name of item.groups) {
        const members = context.get(name) ?? this.membersOf(context, item, name, op === 'add');
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

  private contextOf(item: JournalItem): ContextGroups {
    const ck = contextKey(groupOf(item, ''));
    let context = this.owned.get(ck);
    if (!context) this.owned.set(ck, (context = new Map<string, Map<string, Member>>()));
    return context;
  }

  /** The group's member map, copied from the base on first use; undefined for a delete from a group never applied. */
  private membersOf(context: ContextGroups, item: JournalItem, name: string, create: boolean): Map<string, Member> | undefined {
    const group = groupOf(item, name);
    const gk = groupKey(group);
    const current = this.groups.get(gk);
    if (!current && !create) return undefined;
    const members = new Map<string, Member>(current?.members ?? []);
    this.groups.set(gk, { group: current?.group ?? group, members });
    context.set(name, members);
    return members;
  }
}

/** The group of an item's context with the given name. */
function groupOf(item: JournalItem, name: string): GroupRef {
  if (item.kind === 'customer') return { name, category: item.category, kind: 'customer' };
  return item.department ? { name, category: item.category, department: item.department } : { name, category: item.category };
}

function sameContext(a: JournalItem, b: JournalItem): boolean {
  return a.kind === b.kind && a.category === b.category && a.department?.field === b.department?.field && a.department?.value === b.department?.value;
}

/** What the snapshot records of one answered request: its position, operation, confirmed item count and meta, not its items. */
export interface AnsweredRequest extends RecordMeta {
  readonly index: number;
  readonly op: Op;
  /** Items the API confirmed. */
  readonly confirmed: number;
}

/** What the snapshot records of a journal record. */
export function answeredRequest(record: JournalRecord): AnsweredRequest {
  return { index: record.index, op: record.op, confirmed: record.items.length, ...recordMeta(record) };
}

/** Requests in plan order, for the snapshot. */
export function recordedRequests(records: readonly AnsweredRequest[]): RecordedRequest[] {
  return [...records].sort((a, b) => a.index - b.index).map((r) => ({ op: r.op, items: r.confirmed, ...recordMeta(r) }));
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
    ...(snapshot.target ? { target: snapshot.target } : {}),
    applied: builder.state(),
    lastApply: lastApplyOf(header, snapshot.lastApply, recordedRequests(records.map(answeredRequest)), header.started, false),
    // Kept as recorded: a group the journal changed no longer matches its source's digest (core/group-source.ts).
    ...(snapshot.sources ? { sources: snapshot.sources } : {}),
  };
}
