import { sameIdentities, type Change } from './diff.js';
import { compareStrings, contextKey, memberSignature, type Category, type Department, type GroupRef, type GroupTarget, type Member, type Op } from './model.js';
import { sortedPositions } from './sort-by-key.js';

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
 * The items of each operation and context from the last plan (`plan --watch`), with the changes
 * of each group they were made from: a re-plan after a one-member edit rebuilds the items of the
 * member keys whose changes differ, not the million others. Items are never changed once made,
 * so the new list shares every other item with the old one.
 */
export class BatchMemo {
  /** @internal */
  entries = new Map<string, ContextItems>();
  /** Contexts whose items were reused whole, patched at some member keys, or made anew, in the last plan (for tests and the bench). */
  readonly stats = { reused: 0, patched: 0, rebuilt: 0 };
}

/** The changes of one operation in one context, by group, and the items made of them. */
interface ContextItems {
  /** Per group (in order of appearance), its changes of this operation. */
  readonly sources: readonly Source[];
  readonly items: readonly BatchItem[];
}

interface Source {
  /** The group's key (a re-read file brings a new GroupRef object for the same group). */
  readonly groupKey: string;
  readonly group: GroupRef;
  readonly changes: readonly Change[];
  /** Member keys strictly ascend (as a diff gives them): a key's change is then found by halves. */
  readonly ascending: boolean;
}

/**
 * Turns changes into requests: items merge a member's groups per (operation, context, identities);
 * items of every context of one endpoint share requests, so each (operation, endpoint) needs exactly
 * ceil(items / max) requests; user-group and customer-group items never share one (they go to
 * different endpoints).
 * Deletes come first: a re-keyed member or two YAML members that are one platform person would
 * otherwise be added and then removed. Items are ordered by context, member key, then identities.
 * With a memo (`plan --watch`), the items of contexts whose changes did not change are reused, and
 * those of a context with a few changed member keys are patched at those keys.
 */
export function planBatches(changes: readonly Change[], maxItems = MAX_ITEMS_PER_REQUEST, memo?: BatchMemo): PlannedBatch[] {
  return planGroupBatches(groupsOf(changes), maxItems, memo);
}

/** A group's changes, sorted by member key as a diff gives them (a GroupDiff is one). */
export interface GroupChanges {
  readonly group: GroupRef;
  readonly changes: readonly Change[];
}

/**
 * As planBatches, for changes already in groups (a diff's): a re-plan (`plan --watch`) hands back
 * the very same object for each group it did not compare again, and its deletes and adds are then
 * not sorted out again.
 */
export function planGroupBatches(groups: readonly GroupChanges[], maxItems = MAX_ITEMS_PER_REQUEST, memo?: BatchMemo): PlannedBatch[] {
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError('maxItems must be a positive integer');
  const contexts = sourcesByContext(groups);
  if (memo) {
    memo.stats.reused = memo.stats.patched = memo.stats.rebuilt = 0;
  }
  const next = new Map<string, ContextItems>();
  const out: PlannedBatch[] = [];
  for (const op of ['delete', 'add'] as const) {
    const items: BatchItem[][] = [];
    for (const ctx of [...contexts.keys()].sort(compareStrings)) {
      const sources = contexts.get(ctx)![op === 'delete' ? 0 : 1];
      if (sources.length === 0) continue;
      const made = contextItems(sources, memo?.entries.get(`${op}\u0000${ctx}`), memo);
      next.set(`${op}\u0000${ctx}`, { sources, items: made });
      items.push(made as BatchItem[]);
    }
    out.push(...chunk(op, items, maxItems));
  }
  if (memo) memo.entries = next;
  return out;
}

/** The changes in groups (by group object, as a diff shares it among a group's changes), groups in order of first appearance. */
function groupsOf(changes: readonly Change[]): GroupChanges[] {
  const byGroup = new Map<GroupRef, Change[]>();
  let group: GroupRef | undefined;
  let list: Change[] | undefined;
  for (const c of changes) {
    if (c.group !== group) {
      group = c.group;
      list = byGroup.get(group);
      if (!list) byGroup.set(group, (list = []));
    }
    list!.push(c);
  }
  return [...byGroup].map(([g, cs]) => ({ group: g, changes: cs }));
}

/** Each group's deletes and adds as sources, kept with the group's changes (see planGroupBatches). */
const splits = new WeakMap<GroupChanges, readonly [Source | undefined, Source | undefined]>();

/** Per context: the sources of its groups, deletes and adds apart, groups in order. */
function sourcesByContext(groups: readonly GroupChanges[]): Map<string, [Source[], Source[]]> {
  const contexts = new Map<string, [Source[], Source[]]>();
  for (const g of groups) {
    if (g.changes.length === 0) continue;
    let split = splits.get(g);
    if (!split) splits.set(g, (split = splitOps(g)));
    const ctx = contextKey(g.group);
    let pair = contexts.get(ctx);
    if (!pair) contexts.set(ctx, (pair = [[], []]));
    if (split[0]) pair[0].push(split[0]);
    if (split[1]) pair[1].push(split[1]);
  }
  return contexts;
}

function splitOps(g: GroupChanges): readonly [Source | undefined, Source | undefined] {
  let deletes = 0;
  for (const c of g.changes) if (c.op === 'delete') deletes++;
  if (deletes === 0) return [undefined, sourceOf(g.group, g.changes)];
  if (deletes === g.changes.length) return [sourceOf(g.group, g.changes), undefined];
  return [
    sourceOf(
      g.group,
      g.changes.filter((c) => c.op === 'delete'),
    ),
    sourceOf(
      g.group,
      g.changes.filter((c) => c.op === 'add'),
    ),
  ];
}

function sourceOf(group: GroupRef, changes: readonly Change[]): Source {
  let ascending = true;
  for (let i = 1; i < changes.length && ascending; i++) ascending = changes[i - 1]!.memberKey < changes[i]!.memberKey;
  return { groupKey: changes[0]!.groupKey, group, changes, ascending };
}

/** The items of one operation in one context: reused, patched at the changed member keys, or made anew. */
function contextItems(sources: readonly Source[], before: ContextItems | undefined, memo: BatchMemo | undefined): readonly BatchItem[] {
  if (before) {
    const keys = changedKeys(before.sources, sources);
    if (keys?.length === 0) {
      memo!.stats.reused++;
      return before.items;
    }
    // Patched while the changed keys are few: each is looked up in every group of the context.
    if (keys && keys.length * 8 <= before.items.length && sources.every((s) => s.ascending)) {
      memo!.stats.patched++;
      return patchItems(before.items, keys, sources);
    }
  }
  if (memo) memo.stats.rebuilt++;
  return makeItems(sources);
}

/**
 * The member keys whose changes differ between two runs' sources, sorted: a group is matched by its
 * key, and its list compared change by change (the same objects when the diff was reused; else by
 * member key and identities, as a re-read file brings new objects for the same members);
 * undefined when the lists cannot be compared by key (not ascending).
 */
function changedKeys(before: readonly Source[], after: readonly Source[]): string[] | undefined {
  const old = new Map<string, Source>();
  for (const s of before) old.set(s.groupKey, s);
  const keys = new Set<string>();
  const seen = new Set<string>();
  for (const s of after) {
    seen.add(s.groupKey);
    const o = old.get(s.groupKey);
    if (o === s) continue;
    if ((o && !o.ascending) || !s.ascending) return undefined;
    differingKeys(o?.changes ?? [], s.changes, keys);
  }
  for (const o of before) {
    if (seen.has(o.groupKey)) continue;
    if (!o.ascending) return undefined;
    for (const c of o.changes) keys.add(c.memberKey);
  }
  return [...keys].sort(compareStrings);
}

/** Adds to `into` the keys of two ascending change lists that are in one only, or whose members' identities differ. */
function differingKeys(a: readonly Change[], b: readonly Change[], into: Set<string>): void {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.memberKey < y.memberKey)) {
      into.add(x!.memberKey);
      i++;
    } else if (x === undefined || y.memberKey < x.memberKey) {
      into.add(y.memberKey);
      j++;
    } else {
      if (x !== y && !sameIdentities(x.member, y.member)) into.add(x.memberKey);
      i++;
      j++;
    }
  }
}

/**
 * The items of the sources: their changes ordered by member key (a stable radix sort, so a key's
 * changes keep the order of the groups), then each key's changes merged per identities. A million
 * changes sort in a fraction of a second; the merge of sorted runs through a heap it replaces
 * compared keys some twenty times each and grew faster than the changes.
 */
function makeItems(sources: readonly Source[]): BatchItem[] {
  let total = 0;
  for (const s of sources) total += s.changes.length;
  const all: Change[] = new Array<Change>(total);
  let k = 0;
  for (const s of sources) for (const c of s.changes) all[k++] = c;
  const items: BatchItem[] = [];
  const single = new Map<string, readonly string[]>();
  if (sources.length === 1 && sources[0]!.ascending) {
    for (const c of all) items.push(itemOf(c, oneName(c.group.name, single)));
    return items;
  }
  const keys: string[] = new Array<string>(total);
  for (let i = 0; i < total; i++) keys[i] = all[i]!.memberKey;
  const order = sortedPositions(keys);
  const run: Change[] = [];
  for (let start = 0; start < total;) {
    const first = all[order[start]!]!;
    const key = first.memberKey;
    let end = start + 1;
    while (end < total && keys[order[end]!] === key) end++;
    if (end - start === 1) items.push(itemOf(first, oneName(first.group.name, single)));
    else {
      run.length = 0;
      for (let i = start; i < end; i++) run.push(all[order[i]!]!);
      itemsOfKey(run, 0, run.length, single, items);
    }
    start = end;
  }
  return items;
}

/**
 * The items of one member key from its changes [start, end) in group order: changes with the same
 * identities share an item (its groups sorted, each once); different identities under one key are
 * separate items, ordered by their identities.
 */
function itemsOfKey(changes: readonly Change[], start: number, end: number, single: Map<string, readonly string[]>, out: BatchItem[]): void {
  const first = changes[start]!;
  if (end - start === 1) {
    out.push(itemOf(first, oneName(first.group.name, single)));
    return;
  }
  // Almost always every change of a key has the same identities: one item, its names in group order.
  let alike = true;
  for (let i = start + 1; i < end && alike; i++) alike = sameIdentities(first.member, changes[i]!.member);
  if (alike) {
    const names: string[] = new Array<string>(end - start);
    for (let i = start; i < end; i++) names[i - start] = changes[i]!.group.name;
    out.push(itemOf(first, sortedNames(names)));
    return;
  }
  const drafts: { member: Member; change: Change; names: string[] }[] = [];
  for (let i = start; i < end; i++) {
    const c = changes[i]!;
    const same = drafts.find((d) => sameIdentities(d.member, c.member));
    if (same) same.names.push(c.group.name);
    else drafts.push({ member: c.member, change: c, names: [c.group.name] });
  }
  drafts.sort((a, b) => compareStrings(memberSignature(a.member), memberSignature(b.member)));
  for (const d of drafts) out.push(itemOf(d.change, d.names.length === 1 ? oneName(d.names[0]!, single) : sortedNames(d.names)));
}

/** Group names in order, each once: as they come when they ascend (a context's groups in key order), else sorted. */
function sortedNames(names: string[]): readonly string[] {
  for (let i = 1; i < names.length; i++) if (compareStrings(names[i - 1]!, names[i]!) >= 0) return [...new Set(names)].sort(compareStrings);
  return names;
}

/** A one-name list shared by every item of that group (most items have one group: a list each would cost a backing store each). */
function oneName(name: string, single: Map<string, readonly string[]>): readonly string[] {
  let names = single.get(name);
  if (!names) single.set(name, (names = [name]));
  return names;
}

function itemOf(c: Change, groups: readonly string[]): BatchItem {
  const g = c.group;
  if (g.kind === 'customer') return { member: c.member, memberKey: c.memberKey, category: g.category, kind: 'customer', groups };
  return g.department
    ? { member: c.member, memberKey: c.memberKey, category: g.category, department: g.department, groups }
    : { member: c.member, memberKey: c.memberKey, category: g.category, groups };
}

/**
 * `items` with the items of `keys` (sorted) made again from the sources, each key's changes found
 * by halves in every group's list: one pass over the items, the others kept as they are.
 */
function patchItems(items: readonly BatchItem[], keys: readonly string[], sources: readonly Source[]): BatchItem[] {
  const out: BatchItem[] = [];
  const single = new Map<string, readonly string[]>();
  let i = 0;
  for (const key of keys) {
    while (i < items.length && items[i]!.memberKey < key) out.push(items[i++]!);
    while (i < items.length && items[i]!.memberKey === key) i++;
    const found: Change[] = [];
    for (const s of sources) {
      const c = findChange(s.changes, key);
      if (c) found.push(c);
    }
    if (found.length > 0) itemsOfKey(found, 0, found.length, single, out);
  }
  while (i < items.length) out.push(items[i++]!);
  return out;
}

/** The change of `key` in an ascending list, by halves. */
function findChange(changes: readonly Change[], key: string): Change | undefined {
  let lo = 0;
  let hi = changes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = changes[mid]!.memberKey;
    if (k === key) return changes[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Cuts each endpoint's items (the contexts' lists in order: user contexts sort before customer ones) into requests of at most `size`. */
function chunk(op: Op, contexts: readonly (readonly BatchItem[])[], size: number): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  for (const target of ['user', 'customer'] as const) {
    let batch: BatchItem[] = [];
    for (const items of contexts) {
      if ((items[0]!.kind === 'customer') !== (target === 'customer')) continue;
      for (let i = 0; i < items.length;) {
        const take = Math.min(size - batch.length, items.length - i);
        for (let k = 0; k < take; k++) batch.push(items[i + k]!);
        i += take;
        if (batch.length === size) {
          out.push(batchOf(op, target, batch));
          batch = [];
        }
      }
    }
    if (batch.length > 0) out.push(batchOf(op, target, batch));
  }
  return out;
}

function batchOf(op: Op, target: GroupTarget, items: BatchItem[]): PlannedBatch {
  // A user-group batch leaves target out, as batches did before customer groups existed.
  return target === 'customer' ? { op, target, items } : { op, items };
}
