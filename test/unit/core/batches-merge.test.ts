import { describe, expect, it } from 'vitest';
import { planBatches, type BatchItem, type PlannedBatch } from '../../../src/core/batches.js';
import { diffMemberships, sameIdentities, type Change } from '../../../src/core/diff.js';
import { compareStrings, contextKey, memberSignature, type GroupRef, type Member, type Op } from '../../../src/core/model.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { department, enterprise, randomMembers, state } from './builders.js';

// planBatches merges each context's groups as sorted runs; this holds it to the rule it implements,
// written the plain way (a map per context, then sorting), on random states and change orders.

/** The batching rule, plainly: one item per (operation, context, member key, identities), groups sorted and unique. */
function referenceItems(changes: readonly Change[], op: Op): BatchItem[] {
  const byContext = new Map<string, Map<string, { member: Member; group: GroupRef; groups: Set<string> }[]>>();
  for (const c of changes) {
    if (c.op !== op) continue;
    const ctx = contextKey(c.group);
    if (!byContext.has(ctx)) byContext.set(ctx, new Map());
    const byKey = byContext.get(ctx)!;
    if (!byKey.has(c.memberKey)) byKey.set(c.memberKey, []);
    const list = byKey.get(c.memberKey)!;
    let entry = list.find((e) => sameIdentities(e.member, c.member));
    if (!entry) list.push((entry = { member: c.member, group: c.group, groups: new Set() }));
    entry.groups.add(c.group.name);
  }
  const items: BatchItem[] = [];
  for (const ctx of [...byContext.keys()].sort(compareStrings)) {
    const byKey = byContext.get(ctx)!;
    for (const key of [...byKey.keys()].sort(compareStrings)) {
      const entries = [...byKey.get(key)!].sort((a, b) => compareStrings(memberSignature(a.member), memberSignature(b.member)));
      for (const e of entries) {
        const g = e.group;
        items.push({
          member: e.member,
          memberKey: key,
          category: g.category,
          ...(g.department ? { department: g.department } : {}),
          ...(g.kind ? { kind: g.kind } : {}),
          groups: [...e.groups].sort(compareStrings),
        });
      }
    }
  }
  return items;
}

const customer = (name: string): GroupRef => ({ name, category: 'enterprise', kind: 'customer' });

describe('planBatches merges runs as the plain rule says', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`random states, seed ${seed}`, () => {
      const random = seededRandom(seed);
      const groups: GroupRef[] = [enterprise('a'), enterprise('b'), enterprise('客户'), department('d1', '7'), department('d2', '7'), department('d3', '8'), customer('a'), customer('c')];
      const side = () => state(...groups.map((g): [GroupRef, Member[]] => [g, randomMembers(random, 30, 40)]));
      const changes = diffMemberships(side(), side());
      const orders = [changes, [...changes].reverse(), [...changes].sort(() => random() - 0.5)];
      for (const order of orders) {
        const batches: PlannedBatch[] = planBatches(order, 7);
        const byOp = (op: Op) => batches.filter((b) => b.op === op).flatMap((b) => b.items);
        expect(byOp('delete')).toEqual(referenceItems(order, 'delete'));
        expect(byOp('add')).toEqual(referenceItems(order, 'add'));
      }
    });
  }
});
