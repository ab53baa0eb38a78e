/** An array written element by element: each element is built by `map` when it is written, so the mapped array never exists whole. */
export class LazyArray<T = unknown> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
  ) {}
}

/** Pieces are joined up to about this many characters before they are handed out. */
const CHUNK = 1 << 16;

/**
 * Exactly `JSON.stringify(object, null, 2)` of an object given as its entries, in pieces of about
 * 64 KiB: entries whose value is a LazyArray are written element by element, so a plan with a
 * million changes is written without its million change objects or its text existing at once.
 * Entries are written in order; a key given twice keeps its first place and its last value, as in
 * an object literal; undefined values are left out, as JSON.stringify does.
 */
export function* prettyJsonChunks(entries: Iterable<readonly [string, unknown]>): Generator<string> {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of entries) byKey.set(key, value);
  const present = [...byKey].filter(([, value]) => !omitted(value));
  if (present.length === 0) {
    yield '{}';
    return;
  }
  let out = '{\n';
  for (let k = 0; k < present.length; k++) {
    const [key, value] = present[k]!;
    out += `  ${JSON.stringify(key)}: `;
    if (value instanceof LazyArray) {
      const { items, map } = value as LazyArray;
      if (items.length === 0) out += '[]';
      else {
        out += '[\n';
        for (let i = 0; i < items.length; i++) {
          const element = map(items[i]);
          out += `    ${omitted(element) ? 'null' : indent(JSON.stringify(element, null, 2), '    ')}${i < items.length - 1 ? ',' : ''}\n`;
          if (out.length >= CHUNK) {
            yield out;
            out = '';
          }
        }
        out += '  ]';
      }
    } else out += indent(JSON.stringify(value, null, 2), '  ');
    out += k < present.length - 1 ? ',\n' : '\n';
  }
  yield `${out}}`;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Nested text indented by `by`: JSON text holds no raw line breaks but its own, so this is exact. */
function indent(text: string, by: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${by}`) : text;
}
