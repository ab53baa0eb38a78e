import { describe, expect, it } from 'vitest';
import { BatchMemo, planBatches, type BatchItem, type PlannedBatch } from '../../../src/core/batches.js';
import { DiffMemo, diffMemberships, sameIdentities, type Change } from '../../../src/core/diff.js';
import { buildPlan } from '../../../src/core/plan.js';
import { compareStrings, contextKey, memberSignature, type GroupMembers, type GroupRef, type Member, type MembershipState, type Op } from '../../../src/core/model.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { department, enterprise, person, randomMembers, state } from './builders.js';

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

describe('planBatches with a memo (plan --watch) gives what a fresh plan gives', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`edit after edit, seed ${seed}`, () => {
      const random = seededRandom(100 + seed);
      const pick = (n: number) => Math.floor(random() * n);
      const groups: GroupRef[] = [enterprise('a'), enterprise('b'), enterprise('客户'), department('d1', '7'), department('d2', '7'), customer('c')];
      const members = new Map(groups.map((g) => [g, randomMembers(random, 80, 60)]));
      // Each group's member map is made again only when it is edited, as the watch cache does.
      const maps = new Map<GroupRef, MembershipState>();
      const desiredNow = (): MembershipState => {
        const out = new Map<string, GroupMembers>();
        for (const [g, m] of members) {
          if (!maps.has(g)) maps.set(g, state([g, m]));
          for (const [k, v] of maps.get(g)!) out.set(k, v);
        }
        return out;
      };
      const applied = state(...groups.slice(0, 3).map((g): [GroupRef, Member[]] => [g, randomMembers(random, 40, 60)]));
      const diffMemo = new DiffMemo();
      const batchMemo = new BatchMemo();
      let kept = 0;
      for (let round = 0; round < 8; round++) {
        const desired = desiredNow();
        const fresh = buildPlan(desired, applied, { maxItemsPerRequest: 7 });
        const watched = buildPlan(desired, applied, { maxItemsPerRequest: 7, memo: diffMemo, batchMemo });
        expect(watched.batches).toEqual(fresh.batches);
        expect(watched.checksum).toBe(fresh.checksum);
        kept += batchMemo.stats.reused + batchMemo.stats.patched;
        // One edit of one group: a member more, a member less, another identity, or the group gone or back.
        const g = groups[pick(groups.length)]!;
        const list = [...(members.get(g) ?? [])];
        const r = random();
        if (r < 0.3) list.push(person(60 + pick(20), pick(3)));
        else if (r < 0.55) list.splice(pick(list.length), 1);
        else if (r < 0.85 && list.length > 0) list[pick(list.length)] = person(pick(60), pick(3));
        maps.delete(g);
        if (r >= 0.85 && members.has(g)) members.delete(g);
        else
          members.set(
            g,
            list.filter((m, i, all) => all.findIndex((o) => o.identities[0]!.value === m.identities[0]!.value) === i),
          );
      }
      // The point of the memo: most contexts are not batched again.
      expect(kept).toBeGreaterThan(0);
    });
  }
});

describe('a re-plan after a one-member edit rebuilds the items of that member only', () => {
  it('patches the context at the edited key, reusing the other contexts and items', () => {
    const a = enterprise('a');
    const b = enterprise('b');
    const d = department('d', '7');
    const big = Array.from({ length: 400 }, (_, i) => person(i, 0));
    const diffMemo = new DiffMemo();
    const batchMemo = new BatchMemo();
    const groupsA = state([a, big]);
    const others = state([b, big.slice(100, 300)], [d, big.slice(0, 50)]);
    const first = buildPlan(new Map([...groupsA, ...others]), state(), { memo: diffMemo, batchMemo });
    const edited = state([a, [...big.slice(0, 399), person(1000, 1)]]);
    const again = buildPlan(new Map([...edited, ...others]), state(), { memo: diffMemo, batchMemo });
    expect(batchMemo.stats).toEqual({ reused: 1, patched: 1, rebuilt: 0 });
    expect(again.batches).toEqual(buildPlan(new Map([...edited, ...others]), state()).batches);
    // Items of untouched member keys are the very same objects as before; the removed member's is gone.
    const before = new Set(first.batches.flatMap((x) => x.items));
    const items = again.batches.flatMap((x) => x.items);
    expect(items.filter((item) => !before.has(item)).map((item) => item.memberKey)).toEqual([expect.stringContaining('131000')]);
    expect(items.some((item) => item.memberKey.includes('13399'))).toBe(false);
    expect(items).toHaveLength(first.batches.flatMap((x) => x.items).length);
  });
});
