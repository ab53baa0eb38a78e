import { sameIdentities, type Change } from './diff.js';
import { compareStrings, contextKey, memberSignature, type Category, type Department, type GroupTarget, type Member, type Op } from './model.js';

/** The most items the API takes in one call. */
export const MAX_ITEMS_PER_REQUEST = 500;

/** One request item: one member and every group of that member sharing one operation, category and department. */
export interface BatchItem {
  readonly member: Member;
  readonly memberKey: string;
  readonly category: Category;
  readonly department?: Department;
  /** Group names, sorted; joined with "," on the wire. */
  readonly groups: readonly string[];
  /** Set for customer groups (the customer-group endpoint); absent for user groups. */
  readonly kind?: 'customer';
}

/** One API call. */
export interface PlannedBatch {
  readonly op: Op;
  readonly items: readonly BatchItem[];
  /** The endpoint family: user groups (v2 or v1) or customer groups. Absent means user groups. */
  readonly target?: GroupTarget;
}

/**
 * Turns changes into requests: items merge a member's groups per (operation, context, identities);
 * items of every context of one endpoint share requests, so each (operation, endpoint) needs exactly
 * ceil(items / max) requests; user-group and customer-group items never share one (they go to
 * different endpoints).
 * Deletes come first: a re-keyed member or two YAML members that are one platform person would
 * otherwise be added and then removed. Items are ordered by context, member key, then identities.
 */
export function planBatches(changes: readonly Change[], maxItems = MAX_ITEMS_PER_REQUEST): PlannedBatch[] {
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError('maxItems must be a positive integer');
  return (['delete', 'add'] as const).flatMap((op) => chunk(op, itemsFor(changes, op), maxItems));
}

/**
 * An item being built: its groups grow as the member's other groups arrive. A one-group list is
 * shared by every item of that group (most items have one group), so the second name makes the
 * item a list of its own, which then grows by push and is cut to its size when the item is done (a
 * list grown by push keeps room for 16 names for as long as the plan lives).
 */
type Draft = Omit<BatchItem, 'groups'> & { groups: readonly string[] };

/** A finished item: a list that grew past two names, copied to its size. */
function finished(d: Draft): Draft {
  if (d.groups.length > 2) d.groups = d.groups.slice();
  return d;
}

/** A stretch of the changes with one group and one operation, member keys ascending: [start, end), other operations skipped. */
interface Run {
  readonly start: number;
  readonly end: number;
}

/**
 * The items of one operation, ordered by context, member key, then identities. Linear in the
 * changes plus a merge: the changes of each group come sorted by member key (as diffMemberships
 * gives them), so each context's groups are merged as sorted runs, and a member's changes in
 * several groups arrive one after the other. A hash map of every member of a context would cost
 * a cache miss per change at a million changes; the merge reads each run in order.
 */
function itemsFor(changes: readonly Change[], op: Op): BatchItem[] {
  const byContext = runsByContext(changes, op);
  const items: BatchItem[] = [];
  // Items whose group names arrived out of order (shuffled changes): sorted and deduplicated at the end.
  const unsorted = new Set<Draft>();
  const single = new Map<string, readonly string[]>();
  for (const ctx of [...byContext.keys()].sort(compareStrings)) mergeRuns(changes, op, byContext.get(ctx)!, { items, unsorted, single });
  for (const d of unsorted) d.groups = [...new Set(d.groups)].sort(compareStrings);
  return items;
}

/** The runs of each context: a run ends where the group changes or the member keys stop ascending. */
function runsByContext(changes: readonly Change[], op: Op): Map<string, Run[]> {
  const byContext = new Map<string, Run[]>();
  let runs: Run[] | undefined;
  let group: Change['group'] | undefined;
  let start = -1;
  let last = -1;
  const close = (): void => {
    if (start !== -1) runs!.push({ start, end: last + 1 });
  };
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.op !== op) continue;
    if (c.group !== group) {
      close();
      group = c.group;
      const ctx = contextKey(group);
      runs = byContext.get(ctx);
      if (!runs) byContext.set(ctx, (runs = []));
      start = i;
    } else if (changes[last]!.memberKey >= c.memberKey) {
      close();
      start = i;
    }
    last = i;
  }
  close();
  return byContext;
}

/** Where mergeRuns puts its items: the items, those whose groups came out of order, the shared one-group lists. */
interface ItemsOut {
  readonly items: BatchItem[];
  readonly unsorted: Set<Draft>;
  readonly single: Map<string, readonly string[]>;
}

/**
 * Merges one context's runs by member key (a binary heap of runs; on equal keys the earlier run
 * first, so a member's groups keep the order of the changes) and appends its items: changes of
 * one member key with the same identities share an item; different identities under one key are
 * separate items, ordered by their identities.
 */
function mergeRuns(changes: readonly Change[], op: Op, runs: readonly Run[], out: ItemsOut): void {
  const { items, unsorted, single } = out;
  const pos = runs.map((r) => r.start);
  const head = runs.map((r) => changes[r.start]!.memberKey);
  const heap = runs.map((_, i) => i);
  const before = (a: number, b: number): boolean => head[a]! < head[b]! || (head[a] === head[b] && a < b);
  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      let m = l < heap.length && before(heap[l]!, heap[i]!) ? l : i;
      if (l + 1 < heap.length && before(heap[l + 1]!, heap[m]!)) m = l + 1;
      if (m === i) return;
      const swap = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = swap;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  let key: string | undefined;
  // The drafts of the current member key: almost always one; a list only for the rare key that
  // comes with other identities too (a list per key would cost a backing store per member).
  let first: Draft | undefined;
  let others: Draft[] | undefined;
  const flush = (): void => {
    if (!first) return;
    if (!others) items.push(finished(first));
    else for (const d of [first, ...others].sort((a, b) => compareStrings(memberSignature(a.member), memberSignature(b.member)))) items.push(finished(d));
    first = others = undefined;
  };
  while (heap.length > 0) {
    const r = heap[0]!;
    const c = changes[pos[r]!]!;
    // The run's next change of this operation, or the run leaves the heap.
    let next = pos[r]! + 1;
    while (next < runs[r]!.end && changes[next]!.op !== op) next++;
    if (next < runs[r]!.end) {
      pos[r] = next;
      head[r] = changes[next]!.memberKey;
    } else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    siftDown(0);
    if (c.memberKey !== key) {
      flush();
      key = c.memberKey;
    }
    const same = first && sameIdentities(first.member, c.member) ? first : others?.find((d) => sameIdentities(d.member, c.member));
    if (same) {
      const last = same.groups[same.groups.length - 1]!;
      if (compareStrings(last, c.group.name) >= 0) unsorted.add(same);
      if (same.groups.length === 1) same.groups = [last, c.group.name];
      else (same.groups as string[]).push(c.group.name);
    } else if (!first) first = draftOf(c, single);
    else (others ??= []).push(draftOf(c, single));
  }
  flush();
}

function draftOf(c: Change, single: Map<string, readonly string[]>): Draft {
  const g = c.group;
  let groups = single.get(g.name);
  if (!groups) single.set(g.name, (groups = [g.name]));
  if (g.kind === 'customer') return { member: c.member, memberKey: c.memberKey, category: g.category, kind: 'customer', groups };
  return g.department
    ? { member: c.member, memberKey: c.memberKey, category: g.category, department: g.department, groups }
    : { member: c.member, memberKey: c.memberKey, category: g.category, groups };
}

/** Cuts items into requests of at most `size`; items are sorted by context, so each endpoint's items are one run. */
function chunk(op: Op, items: BatchItem[], size: number): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  let start = 0;
  while (start < items.length) {
    const target: GroupTarget = items[start]!.kind === 'customer' ? 'customer' : 'user';
    let end = start;
    while (end < items.length && (items[end]!.kind === 'customer') === (target === 'customer')) end++;
    for (let i = start; i < end; i += size) {
      const slice = items.slice(i, Math.min(i + size, end));
      // A user-group batch leaves target out, as batches did before customer groups existed.
      out.push(target === 'customer' ? { op, target, items: slice } : { op, items: slice });
    }
    start = end;
  }
  return out;
}
