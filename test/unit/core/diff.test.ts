import { describe, expect, it } from 'vitest';
import { diffMemberships } from '../../../src/core/diff.js';
import { brief, department, enterprise, member, openid, phone, state, unionid } from './builders.js';

const vip = enterprise('VIP');
const beta = enterprise('Beta');
const rd = department('R&D', '1001');

describe('diffMemberships', () => {
  it('adds every desired membership when nothing is applied', () => {
    const desired = state([vip, [member(phone('2')), member(phone('1'))]], [beta, [member(phone('1'))]]);
    expect(diffMemberships(desired, state()).map(brief)).toEqual(['add Beta 1', 'add VIP 1', 'add VIP 2']);
  });

  it('finds nothing when desired and applied agree', () => {
    const s = () => state([vip, [member(phone('1'), unionid('u1'))]], [rd, [member(phone('2'))]]);
    expect(diffMemberships(s(), s())).toEqual([]);
  });

  it('deletes applied memberships that are no longer desired, with the identities as applied', () => {
    const applied = state([vip, [member(phone('1')), member(phone('2'), unionid('u2'))]]);
    const desired = state([vip, [member(phone('1'))]]);
    const changes = diffMemberships(desired, applied);
    expect(changes.map(brief)).toEqual(['delete VIP 2+u2']);
    expect(changes[0]!.member.identities).toEqual([phone('2'), unionid('u2')]);
  });

  it('re-sends a member whose other identities changed as an add with the previous identities, never a delete', () => {
    const applied = state([vip, [member(phone('1'), unionid('old'))]]);
    const desired = state([vip, [member(phone('1'), unionid('new'))]]);
    const changes = diffMemberships(desired, applied);
    expect(changes.map(brief)).toEqual(['add VIP 1+new (was 1+old)']);
    expect(changes[0]!.previous).toEqual(member(phone('1'), unionid('old')));
  });

  it('treats a changed isWeChatEcosystem as an identity change under the same key', () => {
    const applied = state([vip, [member(openid('o1', 'wx1', true))]]);
    const desired = state([vip, [member(openid('o1', 'wx1', false))]]);
    const changes = diffMemberships(desired, applied);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.op).toBe('add');
    expect(changes[0]!.previous?.identities[0]!.isWeChatEcosystem).toBe(true);
  });

  it('re-keys a member whose first identity changed: delete the old key, add the new one', () => {
    const applied = state([vip, [member(phone('1'), unionid('u'))]]);
    const desired = state([vip, [member(unionid('u'), phone('1'))]]);
    expect(diffMemberships(desired, applied).map(brief)).toEqual(['delete VIP 1+u', 'add VIP u+1']);
  });

  it('treats another appid as another member key (delete + add)', () => {
    const applied = state([vip, [member(openid('o1', 'wx1'))]]);
    const desired = state([vip, [member(openid('o1', 'wx2'))]]);
    expect(
      diffMemberships(desired, applied)
        .map((c) => c.op)
        .sort(),
    ).toEqual(['add', 'delete']);
  });

  it('deletes every applied membership of a group whose file was removed', () => {
    const applied = state([vip, [member(phone('1'))]], [rd, [member(phone('1')), member(phone('2')), member(phone('3'))]]);
    const desired = state([vip, [member(phone('1'))]]);
    expect(diffMemberships(desired, applied).map(brief)).toEqual(['delete R&D 1', 'delete R&D 2', 'delete R&D 3']);
  });

  it('keeps groups of the same name in different contexts apart', () => {
    const applied = state([enterprise('Sales'), [member(phone('1'))]]);
    const desired = state([department('Sales', '7'), [member(phone('1'))]]);
    const changes = diffMemberships(desired, applied);
    expect(changes.map((c) => [c.op, c.group.category])).toEqual([
      ['add', 'department'],
      ['delete', 'enterprise'],
    ]);
  });

  it('sorts by group key (category, department, name), then member key, whatever the input order', () => {
    const desired = state(
      [enterprise('b'), [member(phone('9')), member(phone('3'))]],
      [department('z', '2'), [member(phone('5'))]],
      [enterprise('a'), [member(phone('4'))]],
      [department('z', '1'), [member(phone('6'))]],
    );
    const applied = state([enterprise('a'), [member(phone('1'))]]);
    expect(diffMemberships(desired, applied).map((c) => `${c.group.category[0]}${c.group.department?.value ?? ''}:${c.group.name}:${c.member.identities[0]!.value}:${c.op}`)).toEqual([
      'd1:z:6:add',
      'd2:z:5:add',
      'e:a:1:delete',
      'e:a:4:add',
      'e:b:3:add',
      'e:b:9:add',
    ]);
  });

  it('leaves a desired group without members and nothing applied out of the plan', () => {
    expect(diffMemberships(state([vip, []]), state())).toEqual([]);
  });
});
