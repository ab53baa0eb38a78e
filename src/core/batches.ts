import type { Change } from './diff.js';
import { compareStrings, contextKey, memberSignature, type Category, type Department, type Member, type Op } from './model.js';

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
}

/** One API call. */
export interface PlannedBatch {
  readonly op: Op;
  readonly items: readonly BatchItem[];
}

/**
 * Turns changes into requests: items merge a member's groups per (operation, context, identities);
 * items of every context share requests, so each operation needs exactly ceil(items / max) requests.
 * Deletes come first: a re-keyed member or two YAML members that are one platform person would
 * otherwise be added and then removed.
 */
export function planBatches(changes: readonly Change[], maxItems = MAX_ITEMS_PER_REQUEST): PlannedBatch[] {
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError('maxItems must be a positive integer');
  return (['delete', 'add'] as const).flatMap((op) => chunk(op, itemsFor(changes, op), maxItems));
}

function itemsFor(changes: readonly Change[], op: Op): BatchItem[] {
  const byItem = new Map<string, { member: Member; memberKey: string; category: Category; department?: Department; groups: string[] }>();
  for (const c of changes) {
    if (c.op !== op) continue;
    const key = `${contextKey(c.group)}\u001e${c.memberKey}\u001e${memberSignature(c.member)}`;
    const item = byItem.get(key);
    if (item) item.groups.push(c.group.name);
    else {
      byItem.set(key, {
        member: c.member,
        memberKey: c.memberKey,
        category: c.group.category,
        ...(c.group.department ? { department: c.group.department } : {}),
        groups: [c.group.name],
      });
    }
  }
  const items = [...byItem.entries()];
  items.sort((a, b) => compareStrings(a[0], b[0]));
  return items.map(([, item]) => ({ ...item, groups: [...new Set(item.groups)].sort(compareStrings) }));
}

function chunk(op: Op, items: BatchItem[], size: number): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  for (let i = 0; i < items.length; i += size) out.push({ op, items: items.slice(i, i + size) });
  return out;
}
