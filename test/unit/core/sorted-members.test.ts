import { describe, expect, it } from 'vitest';
import { diffCounted, diffMemberships } from '../../../src/core/diff.js';
import { compareStrings, groupKey, memberKey, type GroupMembers, type GroupRef, type Member, type MembershipState } from '../../../src/core/model.js';
import { MemberIndex, SortedMembers } from '../../../src/core/sorted-members.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { enterprise, member, phone, unionid } from './builders.js';

const keyed = (...members: Member[]) => members.map((m) => ({ key: memberKey(m), member: m }));

/** Reads `list` through a MemberIndex as a reader does: the accepted members and what `add` said of each. */
function index(list: readonly { key: string; member: Member }[]): { members: ReadonlyMap<string, Member>; accepted: boolean[] } {
  const kept: { key: string; member: Member }[] = [];
  const idx = new MemberIndex(kept);
  const accepted = list.map((m) => {
    const ok = idx.add(m.key, m.member);
    if (ok) kept.push(m);
    return ok;
  });
  return { members: idx.members(), accepted };
}

describe('MemberIndex', () => {
  it('keeps a list in key order as SortedMembers: no map is built', () => {
    const list = keyed(member(phone('1')), member(phone('2')), member(phone('3')));
    const { members, accepted } = index(list);
    expect(members).toBeInstanceOf(SortedMembers);
    expect(accepted).toEqual([true, true, true]);
    expect([...members.keys()]).toEqual(list.map((m) => m.key));
  });

  it('refuses a key repeated right after itself', () => {
    const { accepted } = index(keyed(member(phone('1')), member(phone('2')), member(phone('2'), unionid('u'))));
    expect(accepted).toEqual([true, true, false]);
  });

  it('moves to a Map at the first key out of order, and still finds keys repeated from before it', () => {
    const list = keyed(member(phone('1')), member(phone('3')), member(phone('2')), member(phone('1')), member(phone('4')), member(phone('3')));
    const { members, accepted } = index(list);
    expect(members).toBeInstanceOf(Map);
    expect(accepted).toEqual([true, true, true, false, true, false]);
    // In reading order, as before.
    expect([...members.keys()]).toEqual(['1', '3', '2', '4'].map((v) => memberKey(member(phone(v)))));
  });
});

describe('SortedMembers', () => {
  const list = keyed(member(phone('10')), member(phone('20'), unionid('u20')), member(phone('30')), member(phone('40')));
  const sorted = new SortedMembers(list);

  it('answers as a Map of the same entries does', () => {
    const map = new Map(list.map((m) => [m.key, m.member]));
    expect(sorted.size).toBe(4);
    for (const probe of ['05', '10', '15', '20', '30', '35', '40', '45']) {
      const key = memberKey(member(phone(probe)));
      expect(sorted.get(key)).toBe(map.get(key));
      expect(sorted.has(key)).toBe(map.has(key));
    }
    expect([...sorted]).toEqual([...map]);
    expect([...sorted.entries()]).toEqual([...map.entries()]);
    expect([...sorted.values()]).toEqual([...map.values()]);
    expect(new Map(sorted)).toEqual(map);
    const seen: [string, Member][] = [];
    sorted.forEach((m, k, self) => {
      expect(self).toBe(sorted);
      seen.push([k, m]);
    });
    expect(seen).toEqual([...map]);
  });

  it('finds nothing in an empty list', () => {
    const empty = new SortedMembers([]);
    expect(empty.size).toBe(0);
    expect(empty.get('a')).toBeUndefined();
    expect([...empty]).toEqual([]);
  });
});

describe('diffMemberships on sorted member lists', () => {
  // The walk in step (both sides in key order) against the lookups of plain Maps, on random states:
  // sides as SortedMembers, as Maps in key order (a snapshot's), and as Maps in any order.
  const vip = enterprise('VIP');
  const other = enterprise('Other');
  const person = (p: number, variant: number): Member => (variant === 0 ? member(phone(`13${p}`)) : member(phone(`13${p}`), unionid(`u${p}-${variant}`)));

  type Shape = 'sorted' | 'ascending map' | 'shuffled map';
  const shaped = (groups: [GroupRef, Member[]][], shape: Shape, random: () => number): MembershipState => {
    const out = new Map<string, GroupMembers>();
    for (const [group, members] of groups) {
      const entries = keyed(...members).sort((a, b) => compareStrings(a.key, b.key));
      if (shape === 'shuffled map') entries.sort(() => random() - 0.5);
      const map = shape === 'sorted' ? new SortedMembers(entries) : new Map(entries.map((e) => [e.key, e.member]));
      out.set(groupKey(group), { group, members: map });
    }
    return out;
  };

  for (let seed = 1; seed <= 25; seed++) {
    it(`random states, seed ${seed}`, () => {
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const side = (): [GroupRef, Member[]][] =>
        [vip, other].flatMap((g): [GroupRef, Member[]][] => {
          if (pick(5) === 0) return [];
          const seen = new Set<number>();
          const members: Member[] = [];
          for (let k = pick(40); k > 0; k--) {
            const p = pick(60);
            if (!seen.has(p)) members.push(person(p, pick(3)));
            seen.add(p);
          }
          return [[g, members]];
        });
      const want = side();
      const have = side();
      const expected = diffMemberships(shaped(want, 'shuffled map', random), shaped(have, 'shuffled map', random));
      for (const w of ['sorted', 'ascending map', 'shuffled map'] as const) {
        for (const h of ['sorted', 'ascending map', 'shuffled map'] as const) {
          const counted = diffCounted(shaped(want, w, random), shaped(have, h, random));
          expect(counted.changes, `${w} against ${h}`).toEqual(expected);
          expect(counted.adds).toBe(expected.filter((c) => c.op === 'add').length);
        }
      }
    });
  }
});
