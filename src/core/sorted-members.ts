import type { Member } from './model.js';
import { sortedPositions } from './sort-by-key.js';

/** A member with its key, as readers hold them (LoadedMember is one). */
export interface KeyedMember {
  readonly key: string;
  readonly member: Member;
}

/**
 * A group's members by key, read straight from a list whose keys strictly ascend (as compareStrings
 * orders them): no hash table at all. At a million members a Map cost a third of reading a CSV list
 * (hashing every key, growing and re-inserting its table, and the garbage collector walking it),
 * and member lists are often written in key order (exports sorted by phone number; snapshots
 * always); others are sorted once (MemberIndex). `get` and `has` search by halves;
 * diffMemberships walks two sorted sides in step instead. The list is never changed once read
 * (member-maps.ts relies on the same).
 */
export class SortedMembers implements ReadonlyMap<string, Member> {
  readonly #list: readonly KeyedMember[];

  /** `list` must have strictly ascending keys (see MemberIndex). */
  constructor(list: readonly KeyedMember[]) {
    this.#list = list;
  }

  get size(): number {
    return this.#list.length;
  }

  /** The key at a position (0 ≤ i < size), ascending. */
  keyAt(i: number): string {
    return this.#list[i]!.key;
  }

  /** The member at a position (0 ≤ i < size). */
  memberAt(i: number): Member {
    return this.#list[i]!.member;
  }

  get(key: string): Member | undefined {
    const i = this.#find(key);
    return i === -1 ? undefined : this.#list[i]!.member;
  }

  has(key: string): boolean {
    return this.#find(key) !== -1;
  }

  forEach(callback: (member: Member, key: string, map: ReadonlyMap<string, Member>) => void, thisArg?: unknown): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) callback.call(thisArg, list[i]!.member, list[i]!.key, this);
  }

  *entries(): MapIterator<[string, Member]> {
    for (const m of this.#list) yield [m.key, m.member];
  }

  *keys(): MapIterator<string> {
    for (const m of this.#list) yield m.key;
  }

  *values(): MapIterator<Member> {
    for (const m of this.#list) yield m.member;
  }

  [Symbol.iterator](): MapIterator<[string, Member]> {
    return this.entries();
  }

  #find(key: string): number {
    const list = this.#list;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = list[mid]!.key;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** A key listed again: its position in the reader's list, and that of its first listing. */
export interface RepeatedKey {
  readonly index: number;
  readonly first: number;
}

/**
 * The duplicate check of a reader and the member map it leaves, without a hash table. While keys
 * strictly ascend, a duplicate can only be the previous key, and `add` says so at once. From the
 * first key out of order on, the list is sorted by key when it is complete (sortedPositions), and
 * `finish` finds the keys listed twice side by side; the map is then the list in key order.
 * (A Map cost more than the sort: hashing every key, growing its table, and the garbage collector
 * walking it; and the diff of a list in file order had to sort its changes after all.)
 */
export class MemberIndex {
  readonly #list: readonly KeyedMember[];
  #last: string | undefined;
  #ascending = true;

  /** `list`: where the caller puts each member that `add` accepts, in order (read by `finish`). */
  constructor(list: readonly KeyedMember[]) {
    this.#list = list;
  }

  /** Records a key; false when it repeats the key before it while keys ascend (keys repeated otherwise are found by `finish`). */
  add(key: string): boolean {
    if (!this.#ascending) return true;
    if (this.#last === undefined || key > this.#last) {
      this.#last = key;
      return true;
    }
    if (key === this.#last) return false;
    this.#ascending = false;
    return true;
  }

  /** The members by key, and the keys accepted by `add` that the list holds twice (later listings, in list order). */
  finish(): { members: SortedMembers; repeated: readonly RepeatedKey[] } {
    const list = this.#list;
    if (this.#ascending) return { members: new SortedMembers(list), repeated: [] };
    const order = sortedPositions(list.map((m) => m.key));
    const sorted: KeyedMember[] = [];
    // The first listing of each later one (-1: none), by position: read back in list order, unsorted.
    const firstOf = new Int32Array(list.length).fill(-1);
    let found = 0;
    let first = -1;
    for (let i = 0; i < order.length; i++) {
      const p = order[i]!;
      // Equal keys are side by side, in list order: the first of them is the one kept.
      if (first !== -1 && list[p]!.key === list[first]!.key) {
        firstOf[p] = first;
        found++;
      } else sorted.push(list[(first = p)]!);
    }
    const repeated: RepeatedKey[] = [];
    for (let p = 0; found > 0 && p < firstOf.length; p++) {
      if (firstOf[p] === -1) continue;
      repeated.push({ index: p, first: firstOf[p]! });
      found--;
    }
    return { members: new SortedMembers(sorted), repeated };
  }
}

/** A member map in key order: itself when it is a SortedMembers, else its entries, sorted once unless they ascend already (a snapshot's do). */
export function sortedMembersOf(map: ReadonlyMap<string, Member>): SortedMembers {
  if (map instanceof SortedMembers) return map;
  const list: KeyedMember[] = [];
  const index = new MemberIndex(list);
  // forEach rather than for...of: iterating a map's entries makes a [key, value] pair per member.
  map.forEach((member, key) => {
    index.add(key);
    list.push({ key, member });
  });
  return index.finish().members;
}
