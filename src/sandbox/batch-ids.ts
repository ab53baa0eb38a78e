/** The first batch ID: the seed's example, above 2^53 so that a client rounding through a double is caught. */
export const FIRST_BATCH_ID = 15314513451345123n;

/** Hands out batch IDs as decimal strings; never reused within one sandbox, even across reset(). */
export class BatchIdCounter {
  #next = FIRST_BATCH_ID;

  next(): string {
    const id = this.#next;
    this.#next += 1n;
    return id.toString();
  }
}
