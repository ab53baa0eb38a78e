import { describe, expect, it } from 'vitest';
import { MAX_ITEMS_PER_REQUEST, planBatches } from '../../../src/core/batches.js';
import { diffMemberships } from '../../../src/core/diff.js';
import { buildPlan } from '../../../src/core/plan.js';
import type { Member } from '../../../src/core/model.js';
import { department, enterprise, member, phone, phones, state, unionid } from './builders.js';

const g1 = enterprise('g1');
const g2 = enterprise('g2');
const rd = department('R&D', '1001');

/** Batches for adding `members` to each of `groups` against an empty snapshot. */
const addAll = (members: Member[], ...groups: ReturnType<typeof enterprise>[]) => planBatches(diffMemberships(state(...groups.map((g): [typeof g, Member[]] => [g, members])), state()));

describe('planBatches', () => {
  it('sends at most 500 items per request', () => {
    expect(MAX_ITEMS_PER_REQUEST).toBe(500);
    expect(addAll(phones(500), g1).map((b) => b.items.length)).toEqual([500]);
    expect(addAll(phones(501), g1).map((b) => b.items.length)).toEqual([500, 1]);
    expect(addAll(phones(1000), g1).map((b) => b.items.length)).toEqual([500, 500]);
    expect(addAll(phones(1001), g1).map((b) => b.items.length)).toEqual([500, 500, 1]);
  });

  it('needs no request for no changes', () => {
    expect(planBatches([])).toEqual([]);
  });

  it('joins all groups of a member in one context into one item', () => {
    const batches = addAll([member(phone('1'))], g2, g1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.items).toHaveLength(1);
    expect(batches[0]!.items[0]!.groups).toEqual(['g1', 'g2']);
    expect(batches[0]!.items[0]!.groups.join(',')).toBe('g1,g2');
  });

  it('puts items of different contexts in the same request', () => {
    const desired = state([g1, [member(phone('1'))]], [rd, [member(phone('1'))]], [department('Ops', '2002'), [member(phone('1'))]]);
    const batches = planBatches(diffMemberships(desired, state()));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.items.map((i) => [i.category, i.department?.value ?? '', i.groups.join(',')])).toEqual([
      ['department', '1001', 'R&D'],
      ['department', '2002', 'Ops'],
      ['enterprise', '', 'g1'],
    ]);
  });

  it('makes one item per (member, operation, context) and sends deletes first', () => {
    const applied = state([g1, [member(phone('1')), member(phone('2'))]], [g2, [member(phone('1'))]], [rd, [member(phone('1'))]]);
    const desired = state([g1, [member(phone('3'))]], [rd, [member(phone('2'))]], [department('Ops', '2002'), [member(phone('1'))]]);
    const batches = planBatches(diffMemberships(desired, applied));
    expect(batches.map((b) => b.op)).toEqual(['delete', 'add']);
    const describe = (b: (typeof batches)[number]) => b.items.map((i) => `${i.member.identities[0]!.value}@${i.department?.value ?? 'ent'}:${i.groups.join(',')}`);
    expect(describe(batches[0]!)).toEqual(['1@1001:R&D', '1@ent:g1,g2', '2@ent:g1']);
    expect(describe(batches[1]!)).toEqual(['2@1001:R&D', '1@2002:Ops', '3@ent:g1']);
  });

  it('sends every delete request before the first add request', () => {
    const applied = state([g1, phones(1200)]);
    const desired = state([g2, phones(700, 5000)]);
    const ops = planBatches(diffMemberships(desired, applied)).map((b) => `${b.op}:${b.items.length}`);
    expect(ops).toEqual(['delete:500', 'delete:500', 'delete:200', 'add:500', 'add:200']);
  });

  it('keeps one item per identity set when a member key carries other identities in another group', () => {
    const desired = state([g1, [member(phone('1'), unionid('a'))]], [g2, [member(phone('1'), unionid('b'))]]);
    const batches = planBatches(diffMemberships(desired, state()));
    expect(batches[0]!.items.map((i) => i.groups)).toEqual([['g1'], ['g2']]);
  });

  it('needs exactly ceil(items / 500) requests per operation, for any mix', () => {
    for (const [adds, deletes, groupsPerMember] of [
      [0, 1, 1],
      [499, 501, 2],
      [1500, 0, 3],
      [1, 999, 1],
      [2001, 1001, 2],
    ] as const) {
      const groups = [g1, g2, enterprise('g3')].slice(0, groupsPerMember);
      const desired = state(...groups.map((g): [typeof g, Member[]] => [g, phones(adds)]), [rd, phones(adds % 7)]);
      const applied = state(...groups.map((g): [typeof g, Member[]] => [g, phones(deletes, 10_000)]));
      const batches = planBatches(diffMemberships(desired, applied));
      for (const op of ['delete', 'add'] as const) {
        const own = batches.filter((b) => b.op === op);
        const items = own.reduce((n, b) => n + b.items.length, 0);
        expect(own.length, `${op} of ${adds}/${deletes}`).toBe(Math.ceil(items / 500));
        expect(own.slice(0, -1).every((b) => b.items.length === 500)).toBe(true);
      }
    }
  });

  it('gives the same batches whatever order the changes come in', () => {
    const changes = diffMemberships(state([g1, phones(30)], [g2, phones(20, 10)], [rd, phones(5)]), state());
    const shuffled = [...changes].reverse();
    expect(planBatches(shuffled)).toEqual(planBatches(changes));
  });

  it('honours a smaller request size and refuses a nonsensical one', () => {
    expect(planBatches(diffMemberships(state([g1, phones(5)]), state()), 2).map((b) => b.items.length)).toEqual([2, 2, 1]);
    expect(() => planBatches([], 0)).toThrow(RangeError);
    expect(() => planBatches([], 1.5)).toThrow(RangeError);
  });
});

describe('the sizing example of the issue', () => {
  it('1,200 members in 3 enterprise groups plus 300 of them in a department group: 3,900 memberships, 1,500 items, 3 requests', () => {
    const everyone = phones(1200);
    const desired = state([g1, everyone], [g2, everyone], [enterprise('g3'), everyone], [rd, everyone.slice(0, 300)]);
    const plan = buildPlan(desired, state());
    expect(plan.summary).toEqual({ add: 3900, delete: 0, requests: 3 });
    expect(plan.batches.reduce((n, b) => n + b.items.length, 0)).toBe(1500);
    expect(plan.batches.map((b) => b.items.length)).toEqual([500, 500, 500]);
    const enterpriseItems = plan.batches.flatMap((b) => b.items).filter((i) => i.category === 'enterprise');
    expect(enterpriseItems).toHaveLength(1200);
    expect(enterpriseItems.every((i) => i.groups.join(',') === 'g1,g2,g3')).toBe(true);
  });
});
