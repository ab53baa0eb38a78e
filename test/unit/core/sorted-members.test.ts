import { describe, expect, it } from 'vitest';
import { diffCounted, type Change } from '../../../src/core/diff.js';
import { compareStrings, groupKey, memberKey, memberSignature, type GroupMembers, type GroupRef, type Member, type MembershipState } from '../../../src/core/model.js';
import { MemberIndex, SortedMembers, sortedMembersOf } from '../../../src/core/sorted-members.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { enterprise, member, phone, randomMembers, unionid } from './builders.js';

const keyed = (...members: Member[]) => members.map((m) => ({ key: memberKey(m), member: m }));

/** Reads `list` through a MemberIndex as a reader does: what `add` said of each member, then what `finish` found. */
function index(list: readonly { key: string; member: Member }[]) {
  const kept: { key: string; member: Member }[] = [];
  const idx = new MemberIndex(kept);
  const accepted = list.map((m) => {
    const ok = idx.add(m.key);
    if (ok) kept.push(m);
    return ok;
  });
  return { kept, accepted, ...idx.finish() };
}

describe('MemberIndex', () => {
  it('keeps a list in key order as it is', () => {
    const list = keyed(member(phone('1')), member(phone('2')), member(phone('3')));
    const { members, accepted, repeated } = index(list);
    expect(accepted).toEqual([true, true, true]);
    expect(repeated).toEqual([]);
    expect([...members.keys()]).toEqual(list.map((m) => m.key));
  });

  it('refuses at once a key repeated right after itself while keys ascend', () => {
    const { accepted, repeated } = index(keyed(member(phone('1')), member(phone('2')), member(phone('2'), unionid('u'))));
    expect(accepted).toEqual([true, true, false]);
    expect(repeated).toEqual([]);
  });

  it('sorts a list out of key order, and finds every key listed again, wherever it was first', () => {
    const list = keyed(member(phone('1')), member(phone('3')), member(phone('2')), member(phone('1')), member(phone('4')), member(phone('3'), unionid('u')), member(phone('1')));
    const { members, accepted, repeated, kept } = index(list);
    expect(accepted).toEqual([true, true, true, true, true, true, true]);
    // Later listings, in list order, each with its first listing.
    expect(repeated).toEqual([
      { index: 3, first: 0 },
      { index: 5, first: 1 },
      { index: 6, first: 0 },
    ]);
    expect(members).toBeInstanceOf(SortedMembers);
    expect([...members.keys()]).toEqual(['1', '2', '3', '4'].map((v) => memberKey(member(phone(v)))));
    // The first listing of a key is the one kept.
    expect(members.get(memberKey(member(phone('3'))))).toBe(kept[1]!.member);
  });

  // Narrow alphabets are sorted character by character; one with CJK and surrogates spans too many codes and is compared whole.
  const alphabets = {
    ascii: ['a', 'b', 'z', '0', '1', '9', '\u001f', ''],
    'any text': ['a', 'b', 'z', '0', '9', '\u001f', 'é', '客', '户', '\ud83d', '\ude00', ''],
  };
  for (const [name, alphabet] of Object.entries(alphabets)) {
    it(`orders keys as compareStrings does (${name}, any length, many repeated)`, () => {
      const random = seededRandom(name.length);
      const keys = Array.from({ length: 5000 }, () => Array.from({ length: Math.floor(random() * 9) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
      const list = keys.map((key) => ({ key, member: member(phone(key)) }));
      const { members, repeated } = index(list);
      const unique = [...new Set(keys)].sort(compareStrings);
      expect([...members.keys()]).toEqual(unique);
      expect(repeated).toHaveLength(keys.length - unique.length);
      for (const { index: i, first } of repeated) expect(keys.indexOf(keys[i]!)).toBe(first);
    });
  }
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

/** The diff rule written the plain way: lookups in Maps, then a sort by group key, member key and operation. */
function referenceDiff(desired: MembershipState, applied: MembershipState): Change[] {
  const out: Change[] = [];
  for (const gk of new Set([...desired.keys(), ...applied.keys()])) {
    const want = new Map(desired.get(gk)?.members ?? []);
    const have = new Map(applied.get(gk)?.members ?? []);
    const group = (desired.get(gk) ?? applied.get(gk))!.group;
    for (const [mk, member] of want) {
      const before = have.get(mk);
      if (!before) out.push({ op: 'add', group, groupKey: gk, memberKey: mk, member });
      else if (memberSignature(before) !== memberSignature(member)) out.push({ op: 'add', group, groupKey: gk, memberKey: mk, member, previous: before });
    }
    for (const [mk, member] of have) if (!want.has(mk)) out.push({ op: 'delete', group, groupKey: gk, memberKey: mk, member });
  }
  return out.sort((a, b) => compareStrings(a.groupKey, b.groupKey) || compareStrings(a.memberKey, b.memberKey) || compareStrings(a.op, b.op));
}

describe('sortedMembersOf', () => {
  it('takes the entries of a Map in key order as they are, and sorts those of any other Map', () => {
    const list = keyed(member(phone('1')), member(phone('2')), member(phone('3')));
    const ascending = sortedMembersOf(new Map(list.map((m) => [m.key, m.member])));
    const shuffled = sortedMembersOf(new Map([list[2]!, list[0]!, list[1]!].map((m) => [m.key, m.member])));
    expect([...ascending]).toEqual(list.map((m) => [m.key, m.member]));
    expect([...shuffled]).toEqual(list.map((m) => [m.key, m.member]));
    const sorted = new SortedMembers(list);
    expect(sortedMembersOf(sorted)).toBe(sorted);
  });
});

describe('diffMemberships on sorted member lists', () => {
  // The walk in step (both sides in key order) against the lookups of plain Maps, on random states:
  // sides as SortedMembers, as Maps in key order (a snapshot's), and as Maps in any order.
  const vip = enterprise('VIP');
  const other = enterprise('Other');

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
      // A group may be on one side only.
      const side = (): [GroupRef, Member[]][] => [vip, other].flatMap((g): [GroupRef, Member[]][] => (pick(5) === 0 ? [] : [[g, randomMembers(random, 40, 60)]]));
      const want = side();
      const have = side();
      const expected = referenceDiff(shaped(want, 'shuffled map', random), shaped(have, 'shuffled map', random));
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
