/**
 * A map from 30-bit integer hashes to values: open addressing with linear probing over one
 * Int32Array of (hash, value number) pairs, at most half full. A lookup that finds nothing (the
 * usual case for an import of new persons) reads one or two neighbouring table entries; a Map
 * with number keys walked a bucket and then a chain of entries elsewhere in memory, a cache miss
 * each once it holds hundreds of thousands of keys.
 */
export class HashIndex<V> {
  /** Pairs: the hash, then the value's number + 1 (0: an empty place). */
  #table: Int32Array;
  #values: V[] = [];
  #bits: number;
  readonly #initialBits: number;

  /** Starts with 2^bits places. */
  constructor(bits = 10) {
    this.#initialBits = bits;
    this.#bits = bits;
    this.#table = new Int32Array(2 << bits);
  }

  get(hash: number): V | undefined {
    const at = this.#find(hash);
    const ref = this.#table[at + 1]!;
    return ref === 0 ? undefined : this.#values[ref - 1];
  }

  set(hash: number, value: V): void {
    const at = this.#find(hash);
    const ref = this.#table[at + 1]!;
    if (ref !== 0) {
      this.#values[ref - 1] = value;
      return;
    }
    this.#table[at] = hash;
    this.#table[at + 1] = this.#values.push(value);
    if (this.#values.length * 2 > 1 << this.#bits) this.#grow();
  }

  /** Forgets every value, and the room they took. */
  clear(): void {
    this.#values = [];
    this.#bits = this.#initialBits;
    this.#table = new Int32Array(2 << this.#bits);
  }

  /** The table offset of the hash's pair, or of the empty place where it would go. */
  #find(hash: number): number {
    const table = this.#table;
    const mask = (1 << this.#bits) - 1;
    // Fibonacci hashing spreads the high bits of the product over the table.
    let place = Math.imul(hash, 0x9e3779b1) >>> (32 - this.#bits);
    for (;;) {
      const at = place * 2;
      if (table[at + 1] === 0 || table[at] === hash) return at;
      place = (place + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#table;
    this.#bits++;
    this.#table = new Int32Array(2 << this.#bits);
    for (let at = 0; at < old.length; at += 2) {
      const ref = old[at + 1]!;
      if (ref === 0) continue;
      const to = this.#find(old[at]!);
      this.#table[to] = old[at]!;
      this.#table[to + 1] = ref;
    }
  }
}
