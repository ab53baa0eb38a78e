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

type Draft = BatchItem & { readonly groups: string[] };

function itemsFor(changes: readonly Change[], op: Op): BatchItem[] {
  // Linear in the changes, one object per item, no serialization per member: this runs over a million changes.
  const byContext = new Map<string, Map<string, Draft | Draft[]>>();
  // Items whose group names arrived out of order (shuffled changes): sorted and deduplicated at the end.
  const unsorted = new Set<Draft>();
  let lastGroup: Change['group'] | undefined;
  let drafts: Map<string, Draft | Draft[]> | undefined;
  for (const c of changes) {
    if (c.op !== op) continue;
    if (c.group !== lastGroup) {
      const ctx = contextKey(c.group);
      drafts = byContext.get(ctx);
      if (!drafts) byContext.set(ctx, (drafts = new Map()));
      lastGroup = c.group;
    }
    const found = drafts!.get(c.memberKey);
    const same = found === undefined ? undefined : Array.isArray(found) ? found.find((d) => sameIdentities(d.member, c.member)) : sameIdentities(found.member, c.member) ? found : undefined;
    if (same) {
      if (compareStrings(same.groups[same.groups.length - 1]!, c.group.name) >= 0) unsorted.add(same);
      same.groups.push(c.group.name);
      continue;
    }
    const g = c.group;
    const draft: Draft = g.kind === 'customer'
      ? { member: c.member, memberKey: c.memberKey, category: g.category, kind: 'customer', groups: [g.name] }
      : g.department
        ? { member: c.member, memberKey: c.memberKey, category: g.category, department: g.department, groups: [g.name] }
        : { member: c.member, memberKey: c.memberKey, category: g.category, groups: [g.name] };
    if (found === undefined) drafts!.set(c.memberKey, draft);
    else if (Array.isArray(found)) found.push(draft);
    else drafts!.set(c.memberKey, [found, draft]);
  }
  for (const d of unsorted) {
    const groups = [...new Set(d.groups)].sort(compareStrings);
    d.groups.length = 0;
    d.groups.push(...groups);
  }
  const items: BatchItem[] = [];
  for (const ctx of [...byContext.keys()].sort(compareStrings)) {
    const drafts = byContext.get(ctx)!;
    // Keys arrive as sorted runs (one per group), which the default sort (UTF-16 code units, as
    // compareStrings) merges quickly.
    const keys = [...drafts.keys()].sort();
    for (const mk of keys) {
      const entry = drafts.get(mk)!;
      if (!Array.isArray(entry)) items.push(entry);
      else items.push(...[...entry].sort((a, b) => compareStrings(memberSignature(a.member), memberSignature(b.member))));
    }
  }
  return items;
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
