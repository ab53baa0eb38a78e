/** Buckets below this size are finished by insertion sort. */
const SMALL = 32;
/** A character position whose codes span more than this (CJK text, say) is finished by comparison sort. */
const WIDEST_SPAN = 1024;

/**
 * The positions of `keys` in ascending order of their keys (UTF-16 code units, as `<` compares
 * them), equal keys in their original order. A radix sort, one character position after the
 * other: a million member keys sort in about a fifth of a second, where Array.prototype.sort with
 * a comparator takes a second (measured on the bench's 1M-row CSV lists in random order).
 */
export function sortedPositions(keys: readonly string[]): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const scratch = new Int32Array(n);
  const counts = new Int32Array(WIDEST_SPAN + 2);
  // Buckets still to sort: [start, end) of `order` whose keys agree before character `depth`.
  const pending: number[] = [0, n, 0];
  while (pending.length > 0) {
    const depth = pending.pop()!;
    const end = pending.pop()!;
    const start = pending.pop()!;
    if (end - start <= SMALL) {
      insertionSort(order, keys, start, end);
      continue;
    }
    // A key's code at `depth`, plus one; 0 for a key that has ended (it sorts first).
    let min = Infinity;
    let max = -1;
    for (let i = start; i < end; i++) {
      const key = keys[order[i]!]!;
      const code = depth < key.length ? key.charCodeAt(depth) + 1 : 0;
      if (code < min) min = code;
      if (code > max) max = code;
    }
    if (min === max) {
      // Every key has the same character here (a common prefix, "phone␟1" say): skip past all of it
      // in one pass, unless all ended (equal keys); one pass per character would fetch every key again.
      if (min !== 0) pending.push(start, end, commonPrefixEnd(order, keys, start, end, depth + 1));
      continue;
    }
    if (max - min > WIDEST_SPAN) {
      comparisonSort(order, keys, start, end);
      continue;
    }
    const span = max - min + 1;
    counts.fill(0, 0, span + 1);
    for (let i = start; i < end; i++) {
      const key = keys[order[i]!]!;
      counts[(depth < key.length ? key.charCodeAt(depth) + 1 : 0) - min + 1]!++;
    }
    for (let b = 1; b <= span; b++) counts[b]! += counts[b - 1]!;
    // In order within each bucket: the sort is stable.
    for (let i = start; i < end; i++) {
      const p = order[i]!;
      const key = keys[p]!;
      scratch[start + counts[(depth < key.length ? key.charCodeAt(depth) + 1 : 0) - min]!++] = p;
    }
    order.set(scratch.subarray(start, end), start);
    let from = start;
    for (let b = 0; b < span; b++) {
      const to = start + counts[b]!;
      // The bucket of ended keys (code 0) holds equal keys: nothing left to order.
      if (to - from > 1 && b + min !== 0) pending.push(from, to, depth + 1);
      from = to;
    }
  }
  return order;
}

/** How far (from `from`) the keys of order[start, end) agree with each other: where the next distinction lies. */
function commonPrefixEnd(order: Int32Array, keys: readonly string[], start: number, end: number, from: number): number {
  const first = keys[order[start]!]!;
  let limit = first.length;
  for (let i = start + 1; i < end && limit > from; i++) {
    const key = keys[order[i]!]!;
    let d = from;
    const stop = Math.min(limit, key.length);
    while (d < stop && key.charCodeAt(d) === first.charCodeAt(d)) d++;
    limit = d;
  }
  return limit;
}

function insertionSort(order: Int32Array, keys: readonly string[], start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const p = order[i]!;
    const key = keys[p]!;
    let j = i - 1;
    while (j >= start && keys[order[j]!]! > key) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = p;
  }
}

function comparisonSort(order: Int32Array, keys: readonly string[], start: number, end: number): void {
  const part = Array.from(order.subarray(start, end));
  part.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
  order.set(part, start);
}
