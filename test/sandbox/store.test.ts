import { describe, expect, it } from 'vitest';
import { BatchIdCounter } from '../../src/sandbox/batch-ids.js';
import type { EndpointContext } from '../../src/sandbox/endpoints/index.js';
import { v2BatchAdd } from '../../src/sandbox/endpoints/v2-batch-add.js';
import { parseExactJson } from '../../src/sandbox/exact-json.js';
import { FaultPlan } from '../../src/sandbox/faults.js';
import { HashIndex } from '../../src/sandbox/hash-index.js';
import { MemberSet } from '../../src/sandbox/member-set.js';
import { identitiesMatch, MembershipStore, type Matching } from '../../src/sandbox/store.js';
import type { SandboxGroup, SandboxIdentity } from '../../src/sandbox/types.js';

/** A seeded generator, so that a failure can be replayed. */
function seeded(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

describe('MemberSet', () => {
  it('holds what a Set holds, below and beyond the size where it turns into a bitmap', () => {
    const random = seeded(3);
    const members = new MemberSet();
    const plain = new Set<number>();
    for (let step = 0; step < 30_000; step++) {
      // Mostly adds, over ids up to 20000, so that the set passes 4096 members and keeps changing.
      const id = 1 + random(20_000);
      if (random(4) === 0) {
        members.delete(id);
        plain.delete(id);
      } else {
        members.add(id);
        plain.add(id);
      }
      if (step % 5_000 === 0) expect(members.ids()).toEqual([...plain].sort((a, b) => a - b));
    }
    expect(plain.size).toBeGreaterThan(4096);
    expect(members.size).toBe(plain.size);
    expect(members.ids()).toEqual([...plain].sort((a, b) => a - b));
  });

  it('counts an id added twice once, and ignores deleting an id it does not hold (or beyond its bitmap)', () => {
    const members = new MemberSet();
    for (let id = 1; id <= 5000; id++) members.add(id);
    members.add(5000);
    members.delete(1_000_000);
    members.delete(0);
    expect(members.size).toBe(5000);
    members.add(1_000_000);
    expect(members.ids().slice(-2)).toEqual([5000, 1_000_000]);
  });
});

/**
 * The rule the store implements, written the plain way: every stored identity in one list in the
 * order stored, a person found by scanning it, groups in a map by a readable key.
 */
class ReferenceStore {
  readonly stored: { personId: number; identity: SandboxIdentity }[] = [];
  readonly persons: SandboxIdentity[][] = [];
  readonly groups = new Map<string, { group: SandboxGroup; members: Set<number> }>();

  apply(optType: 'add' | 'delete', identities: SandboxIdentity[], groups: SandboxGroup[], matching: Matching): string[] {
    const matched: number[] = [];
    for (const identity of identities) {
      for (const s of this.stored) if (identitiesMatch(s.identity, identity, matching) && !matched.includes(s.personId)) matched.push(s.personId);
    }
    const warnings = matched.length > 1 ? [`the identities match ${matched.length} persons (${matched.map((id) => `#${id}`).join(', ')}); used #${matched[0]}`] : [];
    if (optType === 'delete') {
      if (matched[0] !== undefined) for (const g of groups) this.groups.get(groupName(g))?.members.delete(matched[0]);
      return warnings;
    }
    let personId = matched[0];
    if (personId === undefined) personId = this.persons.push([]);
    for (const identity of identities) {
      if (this.stored.some((s) => identitiesMatch(s.identity, identity, matching))) continue;
      this.stored.push({ personId, identity });
      this.persons[personId - 1]!.push(identity);
    }
    for (const g of groups) {
      const key = groupName(g);
      if (!this.groups.has(key)) this.groups.set(key, { group: g, members: new Set() });
      this.groups.get(key)!.members.add(personId);
    }
    return warnings;
  }

  memberships(): string[] {
    const out: string[] = [];
    for (const [key, { members }] of this.groups) for (const id of members) out.push(`${key} <- #${id} ${JSON.stringify(this.persons[id - 1])}`);
    return out.sort();
  }
}

const groupName = (g: SandboxGroup): string => `${g.categoryType}/${g.department ? `${g.department.field}=${g.department.value}` : ''}/${g.name}`;

describe('MembershipStore through the v2 endpoint', () => {
  it('matches, merges, adds and removes as the plain rule does, warnings included', () => {
    const random = seeded(11);
    const pick = <T>(list: readonly T[]): T => list[random(list.length)]!;
    const store = new MembershipStore();
    const ids = new BatchIdCounter();
    const context: EndpointContext = { store, customers: new MembershipStore(), faults: new FaultPlan({}, 1), nextBatchId: () => ids.next() };
    const reference = new ReferenceStore();
    let ambiguous = 0;
    for (let request = 0; request < 400; request++) {
      const optType = random(5) === 0 ? 'delete' : 'add';
      const matchingType = pick([undefined, 1, 2] as const);
      const matching: Matching = matchingType === 1 ? 'exact' : 'fuzzy';
      // Runs of items share groups and context, as a plan's batches do; values repeat across types.
      const groups = pick(['A', 'B', 'A,B', 'C']);
      const dept = pick([undefined, '1', '2']);
      const items = Array.from({ length: 1 + random(5) }, () => {
        const identities = Array.from({ length: 1 + random(3) }, () => {
          const platform = pick([undefined, 'gzh', 'mini']);
          const appid = pick([undefined, 'wx1']);
          return {
            identityValue: pick(['1', '2', '3', '4', '5', 'x']),
            identityType: pick(['phone', 'openid', 'unionid']),
            ...(platform ? { platform } : {}),
            ...(appid ? { appid, isWeChatEcosystem: true } : {}),
          };
        });
        const own = random(4) === 0;
        return { identities, groups: own ? pick(['A', 'C,D']) : groups, ...(dept && !own ? { categoryType: '2', wxDeptId: dept } : {}) };
      });
      const body = { publicParams: { optType, ...(matchingType ? { matchingType } : {}) }, data: items };
      const outcome = v2BatchAdd.handle(parseExactJson(JSON.stringify(body)), context);
      expect(outcome.accepted).toBe(true);
      const expected: string[] = [];
      items.forEach((item, i) => {
        const identities = item.identities.map(({ identityType, identityValue, ...rest }) => ({ type: identityType, value: identityValue, ...rest }));
        const itemGroups = item.groups
          .split(',')
          .map((name): SandboxGroup => (item.wxDeptId ? { name, categoryType: '2', department: { field: 'wxDeptId', value: item.wxDeptId } } : { name, categoryType: '1' }));
        for (const w of reference.apply(optType, identities, itemGroups, matching)) expected.push(`data[${i}]: ${w}`);
      });
      if (expected.length > 0) ambiguous++;
      expect(outcome.accepted && outcome.warnings).toEqual(expected);
      const actual = store.memberships().map((m) => `${groupName(m.group)} <- #${m.person.id} ${JSON.stringify(m.person.identities)}`);
      expect(actual.sort()).toEqual(reference.memberships());
    }
    // The generator must reach ambiguous items (several persons matched), not only the easy cases.
    expect(ambiguous).toBeGreaterThan(10);
    expect(store.counts().persons).toBe(reference.persons.length);
  });

  it('lists memberships by group key, then person id, also for a group kept as a bitmap', () => {
    const store = new MembershipStore();
    const big = { name: 'big', categoryType: '1' as const };
    for (let i = 5000; i >= 1; i--) store.add({ identities: [{ type: 'phone', value: String(i) }], groups: [big] }, 'fuzzy');
    store.add({ identities: [{ type: 'phone', value: '77' }], groups: [{ name: 'a', categoryType: '1' }] }, 'fuzzy');
    const listed = store.memberships();
    expect(listed[0]).toEqual({ group: { name: 'a', categoryType: '1' }, person: { id: 4924, identities: [{ type: 'phone', value: '77' }] } });
    expect(listed.slice(1).map((m) => m.person.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(store.counts()).toEqual({ persons: 5000, groups: 2, memberships: 5001 });
  });
});

describe('HashIndex', () => {
  it('holds what a Map holds, through growth, colliding hashes, replaced values and clear()', () => {
    const random = seeded(5);
    // Two bits: the table starts at four places and grows many times.
    const index = new HashIndex<number>(2);
    const plain = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      for (let step = 0; step < 20_000; step++) {
        // Hashes from a small range collide in the table's places (same place, different hash) and repeat (replace).
        const hash = random(2) === 0 ? random(5_000) : random(2 ** 30);
        index.set(hash, step);
        plain.set(hash, step);
      }
      for (const [hash, value] of plain) expect(index.get(hash)).toBe(value);
      for (let probe = 0; probe < 2_000; probe++) {
        const hash = random(2 ** 30);
        expect(index.get(hash)).toBe(plain.get(hash));
      }
      index.clear();
      plain.clear();
      expect(index.get(1)).toBeUndefined();
    }
  });
});
