import type { Member } from './model.js';

/** A member with its key, as readers hold them (LoadedMember is one). */
export interface KeyedMember {
  readonly key: string;
  readonly member: Member;
}

/**
 * A group's members by key, read straight from a list whose keys strictly ascend (as compareStrings
 * orders them): no hash table at all. At a million members a Map cost a third of reading a CSV list
 * (hashing every key, growing and re-inserting its table, and the garbage collector walking it),
 * and member lists are most often written in key order: exports sorted by phone number, snapshots
 * always. `get` and `has` search by halves; diffMemberships walks two sorted sides in step instead.
 * The list is never changed once read (member-maps.ts relies on the same).
 */
export class SortedMembers implements ReadonlyMap<string, Member> {
  readonly #list: readonly KeyedMember[];

  /** `list` must have strictly ascending keys: see MemberIndex, which decides. */
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

/**
 * The duplicate check of a reader and the member map it leaves: while keys strictly ascend, a
 * duplicate can only be the previous key and no map is built; the first key out of order moves
 * what was read into a Map, which then checks and holds the rest.
 */
export class MemberIndex {
  readonly #list: readonly KeyedMember[];
  #count = 0;
  #last: string | undefined;
  #map: Map<string, Member> | undefined;

  /** `list`: where the caller puts each member that `add` accepts, in order (read at the first key out of order). */
  constructor(list: readonly KeyedMember[]) {
    this.#list = list;
  }

  /** Records a key; false (and nothing recorded) when it was recorded before. */
  add(key: string, member: Member): boolean {
    if (this.#map === undefined) {
      if (this.#last === undefined || key > this.#last) {
        this.#last = key;
        this.#count++;
        return true;
      }
      if (key === this.#last) return false;
      this.#map = new Map();
      for (let i = 0; i < this.#count; i++) this.#map.set(this.#list[i]!.key, this.#list[i]!.member);
    }
    const size = this.#map.size;
    this.#map.set(key, member);
    // One probe for the check and the insertion: a key seen before leaves the size as it was. (Its
    // entry then holds the later member, but a list with a duplicate is refused and its map unused.)
    return this.#map.size !== size;
  }

  /** The members by key: `list` itself while it ascends, else the Map. */
  members(): ReadonlyMap<string, Member> {
    return this.#map ?? new SortedMembers(this.#list);
  }
}
