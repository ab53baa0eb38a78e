/** From this many members on, a group keeps them as a bitmap. */
const BITMAP_FROM = 4096;

/**
 * The person ids of one group. A small group keeps a Set; a large one (thousands of members) a
 * bitmap over the ids: adding to a Set of 200,000 ids lands on a random place of a table of
 * megabytes every time, while ids handed out in order land next to each other in the bitmap (one
 * bit per person, 125 kB at a million persons). Person ids are small positive integers.
 */
export class MemberSet {
  #set: Set<number> | undefined = new Set();
  #bits: Uint32Array | undefined;
  #size = 0;

  get size(): number {
    return this.#set ? this.#set.size : this.#size;
  }

  add(id: number): void {
    if (this.#set) {
      this.#set.add(id);
      if (this.#set.size >= BITMAP_FROM) this.#toBitmap();
      return;
    }
    const bits = this.#room(id);
    const mask = 1 << (id & 31);
    const word = bits[id >>> 5]!;
    if ((word & mask) === 0) {
      bits[id >>> 5] = word | mask;
      this.#size++;
    }
  }

  delete(id: number): void {
    if (this.#set) {
      this.#set.delete(id);
      return;
    }
    const bits = this.#bits!;
    const at = id >>> 5;
    const mask = 1 << (id & 31);
    if (at < bits.length && (bits[at]! & mask) !== 0) {
      bits[at] = bits[at]! & ~mask;
      this.#size--;
    }
  }

  /** The members' ids, ascending. */
  ids(): number[] {
    if (this.#set) return [...this.#set].sort((a, b) => a - b);
    const out: number[] = [];
    const bits = this.#bits!;
    for (let at = 0; at < bits.length; at++) {
      const word = bits[at]!;
      if (word === 0) continue;
      for (let b = 0; b < 32; b++) if ((word & (1 << b)) !== 0) out.push(at * 32 + b);
    }
    return out;
  }

  #toBitmap(): void {
    const ids = this.#set!;
    this.#set = undefined;
    this.#bits = new Uint32Array(0);
    this.#size = 0;
    for (const id of ids) this.add(id);
  }

  /** The bitmap, grown (doubling) to hold `id`. */
  #room(id: number): Uint32Array {
    const bits = this.#bits!;
    const at = id >>> 5;
    if (at < bits.length) return bits;
    const grown = new Uint32Array(Math.max(at + 1, bits.length * 2));
    grown.set(bits);
    this.#bits = grown;
    return grown;
  }
}
