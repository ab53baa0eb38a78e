/**
 * An array written element by element: each element is built by `map` when it is written, so the
 * mapped array never exists whole. `write`, when given, writes exactly the UTF-8 of
 * `JSON.stringify(map(item))` straight into the output (a plan's million changes must not each
 * become an object and then text).
 */
export class LazyArray<T = unknown> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
    readonly write?: (item: T, out: Utf8Chunks) => void,
  ) {}
}

/** Pretty text is joined up to about this many characters before it is encoded. */
const CHUNK = 1 << 16;
/** Elements of a LazyArray without `write` encoded in one piece. */
const GATHER = 64;
/** The size of the byte chunks handed out. */
const CHUNK_BYTES = 1 << 20;

const encoder = new TextEncoder();

/**
 * UTF-8 bytes in chunks of about a MiB, each piece encoded as it comes: a document of a million
 * changes, most in one-byte characters, mixes in the two-byte text of Chinese group names, and
 * joined into long strings it would become two-byte text throughout, twice the memory and slower to
 * encode (measured 2.5 times slower at a million changes). Each chunk holds whole characters (a
 * piece is never split), so each one decodes on its own.
 *
 * Besides text, it takes bytes encoded once (`bytes`: a group's text, copied for each of its
 * changes) and strings written as JSON straight into the chunk (`jsonString`): the JSON plan of a
 * million changes (175 MB) took 1.1 s to render as strings then encoded, 0.67 s written this way.
 *
 * Each chunk handed out is a new buffer, so a consumer may keep it (a stream writing it later);
 * unless `reuse`: then a chunk is the consumer's only until it asks for the next one, and its
 * buffer is written again. A buffer counts as external memory, and 175 fresh ones made V8 run a
 * full mark-compact of the 640 MB heap of a million-change plan while it was written (0.3 s and
 * more of the 1 s the plan may take); the file writer, done with a chunk when it asks for the
 * next, has the same two or three buffers throughout.
 */
export class Utf8Chunks {
  #buf: Uint8Array = new Uint8Array(CHUNK_BYTES);
  #off = 0;
  readonly #full: Uint8Array[] = [];
  /** With reuse: the buffers of the chunks handed out, free once the consumer asks for more. */
  readonly #lent: ArrayBufferLike[] = [];
  readonly #reuse: boolean;

  constructor(reuse = false) {
    this.#reuse = reuse;
  }

  /** Appends a piece of text. */
  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (!this.#room(text.length * 3)) {
      this.#full.push(encoder.encode(text));
      return;
    }
    this.#off += encoder.encodeInto(text, this.#buf.subarray(this.#off)).written;
  }

  /** Appends bytes (whole characters), e.g. text encoded once and written many times. */
  bytes(bytes: Uint8Array): void {
    if (!this.#room(bytes.length)) {
      this.#full.push(bytes.slice());
      return;
    }
    this.#buf.set(bytes, this.#off);
    this.#off += bytes.length;
  }

  /** Appends one ASCII character, by its code. */
  ascii(code: number): void {
    this.#room(1);
    this.#buf[this.#off++] = code;
  }

  /**
   * Appends `JSON.stringify(s)`: printable ASCII (an identity's value, nearly always) is copied
   * character by character while it is checked; anything else goes the general way.
   */
  jsonString(s: string): void {
    const n = s.length;
    if (!this.#room(n + 2)) return this.write(JSON.stringify(s));
    const buf = this.#buf;
    let off = this.#off;
    buf[off++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // The quote, the backslash and control characters are escaped; beyond ASCII is more than a byte.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.write(JSON.stringify(s));
      buf[off++] = c;
    }
    buf[off++] = 0x22;
    this.#off = off;
  }

  /** Whether chunks are full, ready in `take`. */
  get ready(): boolean {
    return this.#full.length > 0;
  }

  /** The chunks filled since the last call (all that is written, with `end`). */
  take(end = false): Uint8Array[] {
    if (end) this.#flush();
    const chunks = this.#full.splice(0);
    if (this.#reuse) for (const c of chunks) if (c.buffer.byteLength === CHUNK_BYTES) this.#lent.push(c.buffer);
    return chunks;
  }

  /** Makes room for `n` bytes in the current chunk, starting a new one if needed; false if they cannot fit in one. */
  #room(n: number): boolean {
    if (this.#off + n <= this.#buf.length) return true;
    this.#flush();
    return n <= this.#buf.length;
  }

  #flush(): void {
    if (this.#off === 0) return;
    this.#full.push(this.#buf.subarray(0, this.#off));
    // Chunks are handed out (take) and written by the consumer before more is written here.
    const free = this.#lent.pop();
    this.#buf = free ? new Uint8Array(free) : new Uint8Array(CHUNK_BYTES);
    this.#off = 0;
  }
}

/** The text of chunks of UTF-8 bytes (or text): for the callers that want the document as a string. */
export function textOfChunks(chunks: Iterable<string | Uint8Array>): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const c of chunks) text += typeof c === 'string' ? c : decoder.decode(c, { stream: true });
  return text + decoder.decode();
}

/**
 * Exactly `JSON.stringify(object)` of an object given as its entries, or with `pretty`
 * `JSON.stringify(object, null, 2)`, and a line feed, as UTF-8 in chunks of about a MiB: entries whose value is a
 * LazyArray are written element by element, so a plan with a million changes is written without
 * its million change objects or its text existing at once. Entries are written in order; a key
 * given twice keeps its first place and its last value, as in an object literal; undefined values
 * are left out, as JSON.stringify does. With `reuse`, a chunk is the consumer's only until it asks
 * for the next (see Utf8Chunks).
 */
export function* jsonChunks(entries: Iterable<readonly [string, unknown]>, pretty: boolean, reuse = false): Generator<Uint8Array> {
  const out = new Utf8Chunks(reuse);
  if (pretty) {
    for (const text of prettyJsonChunks(entries)) {
      out.write(text);
      yield* out.take();
    }
    out.write('\n');
    yield* out.take(true);
    return;
  }
  out.write('{');
  let first = true;
  for (const [key, value] of presentEntries(entries)) {
    out.write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (!(value instanceof LazyArray)) {
      out.write(JSON.stringify(value));
      continue;
    }
    const { items, map, write } = value as LazyArray;
    out.write('[');
    if (write) {
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.ascii(0x2c);
        write(items[i], out);
        if (out.ready) yield* out.take();
      }
    } else {
      // Elements are gathered a few dozen at a time and encoded together: one encoding call per
      // element cost a third of the rendering at a million changes.
      const gathered: string[] = [];
      for (let i = 0; i < items.length; i++) {
        const element = map(items[i]);
        gathered.push(omitted(element) ? 'null' : JSON.stringify(element));
        if (gathered.length === GATHER) {
          out.write(`${i + 1 > GATHER ? ',' : ''}${gathered.join(',')}`);
          gathered.length = 0;
          yield* out.take();
        }
      }
      if (gathered.length > 0) out.write(`${items.length > gathered.length ? ',' : ''}${gathered.join(',')}`);
    }
    out.write(']');
  }
  out.write('}\n');
  yield* out.take(true);
}

/** As jsonChunks, pretty: exactly `JSON.stringify(object, null, 2)`. */
export function* prettyJsonChunks(entries: Iterable<readonly [string, unknown]>): Generator<string> {
  const present = presentEntries(entries);
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

/** The entries as an object literal keeps them (first place, last value), without those JSON.stringify leaves out. */
function presentEntries(entries: Iterable<readonly [string, unknown]>): [string, unknown][] {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of entries) byKey.set(key, value);
  return [...byKey].filter(([, value]) => !omitted(value));
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Nested text indented by `by`: JSON text holds no raw line breaks but its own, so this is exact. */
function indent(text: string, by: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${by}`) : text;
}
