import { describe, expect, it } from 'vitest';
import { buildPlan, isEmptyPlan } from '../../../src/core/plan.js';
import { department, enterprise, member, openid, phone, phones, state, unionid } from './builders.js';

const vip = enterprise('VIP');
const rd = department('R&D', '1001');

describe('buildPlan', () => {
  it('counts memberships to add and delete, and requests', () => {
    const applied = state([vip, [member(phone('1')), member(phone('2'))]]);
    const desired = state([vip, [member(phone('1'), unionid('u'))]], [rd, phones(3)]);
    const plan = buildPlan(desired, applied);
    expect(plan.summary).toEqual({ add: 4, delete: 1, requests: 2 });
    expect(plan.changes).toHaveLength(5);
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it('is empty when nothing changes', () => {
    const plan = buildPlan(state([vip, phones(2)]), state([vip, phones(2)]));
    expect(plan.summary).toEqual({ add: 0, delete: 0, requests: 0 });
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('gives the same checksum for the same input, however the maps were built', () => {
    const a = buildPlan(state([vip, phones(3)], [rd, phones(2, 7)]), state([vip, phones(1, 50)]));
    const b = buildPlan(state([rd, phones(2, 7).reverse()], [vip, phones(3).reverse()]), state([vip, phones(1, 50)]));
    expect(a.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(b.checksum).toBe(a.checksum);
  });

  it('gives a different checksum when anything sent changes', () => {
    const base = buildPlan(state([vip, phones(3)]), state());
    const variants = [
      buildPlan(state([vip, phones(4)]), state()), // one more member
      buildPlan(state([enterprise('VIP2'), phones(3)]), state()), // another group name
      buildPlan(state([department('VIP', '1001'), phones(3)]), state()), // another context
      buildPlan(state(), state([vip, phones(3)])), // deletes instead of adds
      buildPlan(state([vip, [...phones(2), member(phone('13800000002'), unionid('x'))]]), state()), // another identity
      buildPlan(state([vip, [...phones(2), member(phone('13800000002'), unionid('y'))]]), state()), // another second identity's value
      buildPlan(state([vip, [...phones(2), member(openid('o1', 'wx1', true)), member(openid('o2', 'wx1'))]]), state()), // the key identity's flag...
      buildPlan(state([vip, [...phones(2), member(openid('o1', 'wx1', false)), member(openid('o2', 'wx1'))]]), state()), // ...which the member key leaves out
      buildPlan(state([enterprise('VIP'), phones(3)], [enterprise('VIP2'), phones(3)]), state()), // a member in two groups
      buildPlan(state([enterprise('VIP'), phones(3)], [enterprise('VIP3'), phones(3)]), state()), // named by a number in the hashed text: which name it is
    ];
    const sums = new Set([base.checksum, ...variants.map((p) => p.checksum)]);
    expect(sums.size).toBe(variants.length + 1);
  });

  it('gives the same checksum whether groups of one department share its object or each has its own', () => {
    // Two groups of department 7 interleave in one context: a department compared by object would add context lines.
    const shared = { field: 'wxDeptId', value: '7' } as const;
    const own = (name: string) => ({ name, category: 'department', department: { field: 'wxDeptId', value: '7' } }) as const;
    const members = [member(phone('1')), member(phone('2'))];
    const a = buildPlan(state([own('d1'), members], [own('d2'), [member(phone('2')), member(phone('3'))]]), state());
    const b = buildPlan(
      state([{ name: 'd1', category: 'department', department: shared }, members], [{ name: 'd2', category: 'department', department: shared }, [member(phone('2')), member(phone('3'))]]),
      state(),
    );
    expect(b.checksum).toBe(a.checksum);
  });

  it('tells apart identity values that differ in a lone surrogate (the hash input would make both U+FFFD)', () => {
    const a = buildPlan(state([vip, [member(phone('1\ud800'))]]), state());
    const b = buildPlan(state([vip, [member(phone('1\udc00'))]]), state());
    expect(a.checksum).not.toBe(b.checksum);
  });

  it('passes a smaller request size through to the batches', () => {
    expect(buildPlan(state([vip, phones(5)]), state(), { maxItemsPerRequest: 2 }).summary.requests).toBe(3);
  });
});
