import { describe, expect, it } from 'vitest';
import { memberKey, type Member } from '../../../src/core/model.js';
import { InternalError } from '../../../src/errors/index.js';
import type { LoadedMember } from '../../../src/load/group-file.js';
import { memberMapOf, rememberMemberMap } from '../../../src/load/member-maps.js';

const loaded = (value: string, line: number): LoadedMember => {
  const member: Member = { identities: [{ type: 'phone', value }] };
  return { key: memberKey(member), member, line };
};

describe('memberMapOf', () => {
  it('gives the members by key in key order, built once per list', () => {
    const list = [loaded('3', 2), loaded('1', 3), loaded('2', 4)];
    const map = memberMapOf(list);
    expect([...map.values()].map((m) => m.identities[0]!.value)).toEqual(['1', '2', '3']);
    expect(memberMapOf(list)).toBe(map);
  });

  it('hands back the map a reader left', () => {
    const list = [loaded('1', 2)];
    const left = new Map([[list[0]!.key, list[0]!.member]]);
    rememberMemberMap(list, left);
    expect(memberMapOf(list)).toBe(left);
  });

  it('refuses a list holding a key twice, next to each other or not: its reader should have', () => {
    expect(() => memberMapOf([loaded('1', 2), loaded('1', 3)])).toThrow(InternalError);
    expect(() => memberMapOf([loaded('2', 2), loaded('1', 3), loaded('2', 4)])).toThrow(/line 4 twice/);
  });
});
