import { isUtf8 } from 'node:buffer';

/**
 * A reader for the plain subset of YAML that group files are written in: block mappings with
 * identifier keys, block sequences, one-line flow mappings, `[]`, and one-line scalars (plain,
 * or quoted without escapes). It exists for speed: on this subset it gives exactly what the
 * `yaml` package's `parseDocument(...).toJS()` gives (with the options of yaml-source.ts), and it
 * returns undefined for anything else — anchors, tags, escapes, multi-line scalars, numbers,
 * nulls, odd indentation, duplicate keys — so the caller falls back to the full parser, which
 * has the positions and the wording for every problem.
 */

/** A document of the subset: its value, and the lines that messages or duplicate checks need. */
export interface SubsetDocument {
  readonly value: Record<string, unknown>;
  /** The line (1-based) of each top-level key. */
  readonly keyLines: ReadonlyMap<string, number>;
  /** For each top-level key holding a block sequence: the line of each item. */
  readonly itemLines: ReadonlyMap<string, readonly number[]>;
}

// YAML's printable characters without tab, CR, NEL and BOM: anything else goes to the full parser.
const UNSUPPORTED_CHAR = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;
const KEY = /^([A-Za-z][A-Za-z0-9_]{0,200}):(?: |$)/;
const FLOW_KEY = /[A-Za-z][A-Za-z0-9_]{0,200}/y;
const NOT_A_TEXT_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const EMPTY_REST = /^ *(?:#.*)?$/;
const AFTER_SCALAR = /^(?: +#.*| *)$/;
const PLAIN_BAD_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
// The YAML 1.2 core schema's null, int and float forms (yaml's dist/schema/core): never text.
const CORE_NOT_TEXT = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/**
 * The deepest nesting the subset takes: a group file nests five levels (members, a member,
 * identities, an identity, its fields). Deeper text goes to the full parser, which reports it; the
 * reader recurses, so without a bound a hostile file would overflow the stack.
 */
const MAX_DEPTH = 16;

/** Takes the spaces off the end of a plain scalar: the only white space YAML strips there (tabs never reach the subset). */
function trimSpacesEnd(text: string): string {
  let e = text.length;
  while (e > 0 && text.charCodeAt(e - 1) === 32) e--;
  return e === text.length ? text : text.slice(0, e);
}

/** Thrown inside the reader when the text leaves the subset; never escapes this module. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('outside the fast subset');

/** Reads `text` if it is in the subset; undefined means "use the full parser". */
export function parseYamlSubset(text: string): SubsetDocument | undefined {
  return parseYamlSubsetLines(text.split('\n'));
}

/**
 * As parseYamlSubset, for a text already split at its line feeds (the array is changed: a
 * byte-order mark and the CR of each CRLF are taken off, which the caller may rely on).
 */
export function parseYamlSubsetLines(lines: string[]): SubsetDocument | undefined {
  if (lines.length > 0 && lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1);
  const last = lines.length - 1;
  for (let n = 0; n <= last; n++) {
    let line = lines[n]!;
    // A CR belongs to a CRLF only when a line feed follows it, which the last line's has not.
    if (n < last && line.charCodeAt(line.length - 1) === 13) lines[n] = line = line.slice(0, -1);
    if (UNSUPPORTED_CHAR.test(line)) return undefined;
  }
  try {
    return new SubsetReader(lines).read();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/**
 * The lines of UTF-8 bytes, each decoded on its own; undefined when the bytes are not UTF-8. A
 * file decoded whole is one string, stored two bytes per character as soon as one character needs
 * it (a Chinese group name): every member value read from it would then be a two-byte string, or
 * a slice keeping the whole file alive. Decoded per line, the ASCII lines of member values are
 * one-byte strings of their own.
 */
export function utf8Lines(bytes: Uint8Array): string[] | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) return undefined;
  const lines: string[] = [];
  // As TextDecoder does, a leading byte-order mark is not part of the text.
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (let end = buf.indexOf(10, start); end !== -1; end = buf.indexOf(10, start)) {
    lines.push(buf.toString('utf8', start, end));
    start = end + 1;
  }
  lines.push(buf.toString('utf8', start));
  return lines;
}

class SubsetReader {
  private i = 0;
  private readonly keyLines = new Map<string, number>();
  private readonly itemLines = new Map<string, number[]>();

  constructor(private readonly lines: readonly string[]) {}

  read(): SubsetDocument {
    if (this.peek() !== 0) throw UNSUPPORTED;
    const value = this.readMap(0, 0, undefined);
    if (this.peek() !== -1) throw UNSUPPORTED;
    return { value, keyLines: this.keyLines, itemLines: this.itemLines };
  }

  /** Skips blank and comment lines; the indentation of the next content line, or -1 at the end. */
  private peek(): number {
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      let k = 0;
      while (line.charCodeAt(k) === 32) k++;
      if (k === line.length || line.charCodeAt(k) === 35) {
        this.i++;
        continue;
      }
      if (k === 0 && (line.startsWith('%') || /^(?:---|\.\.\.)(?: |$)/.test(line))) throw UNSUPPORTED;
      return k;
    }
    return -1;
  }

  /** A block mapping whose keys start at `col`; `first` is its first entry when it sits on a `- ` line. */
  private readMap(col: number, depth: number, first: string | undefined): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw UNSUPPORTED;
    const obj: Record<string, unknown> = {};
    let content = first;
    for (;;) {
      if (content === undefined) {
        const indent = this.peek();
        if (indent > col) throw UNSUPPORTED;
        if (indent < col) break;
        content = this.lines[this.i]!.slice(col);
        if (content.charCodeAt(0) === 45) break;
      }
      const lineNo = this.i + 1;
      this.i++;
      const m = KEY.exec(content);
      if (!m) throw UNSUPPORTED;
      const key = m[1]!;
      if (Object.hasOwn(obj, key) || NOT_A_TEXT_KEY.test(key)) throw UNSUPPORTED;
      if (depth === 0) this.keyLines.set(key, lineNo);
      const rest = content.slice(m[0].length);
      obj[key] = EMPTY_REST.test(rest) ? this.readNested(col, depth, key) : readInline(rest);
      content = undefined;
    }
    return obj;
  }

  /** The block value under `key:` — deeper lines, or a sequence at the key's own indentation. */
  private readNested(col: number, depth: number, key: string): unknown {
    const indent = this.peek();
    if (indent === -1 || indent < col) throw UNSUPPORTED;
    const line = this.lines[this.i]!;
    const isItem = line.charCodeAt(indent) === 45 && line.charCodeAt(indent + 1) === 32;
    if (isItem) return this.readSeq(indent, depth + 1, depth === 0 ? key : undefined);
    if (indent === col) throw UNSUPPORTED;
    return this.readMap(indent, depth + 1, undefined);
  }

  /** A block sequence whose `- ` indicators sit at `col`. */
  private readSeq(col: number, depth: number, topKey: string | undefined): unknown[] {
    if (depth > MAX_DEPTH) throw UNSUPPORTED;
    const items: unknown[] = [];
    const lines: number[] = [];
    if (topKey !== undefined) this.itemLines.set(topKey, lines);
    for (;;) {
      const indent = this.peek();
      if (indent > col) throw UNSUPPORTED;
      if (indent < col) break;
      const line = this.lines[this.i]!;
      if (!(line.charCodeAt(col) === 45 && line.charCodeAt(col + 1) === 32)) break;
      let k = col + 2;
      while (line.charCodeAt(k) === 32) k++;
      const rest = line.slice(k);
      lines.push(this.i + 1);
      if (rest.charCodeAt(0) === 123) {
        items.push(readInline(rest));
        this.i++;
      } else if (KEY.test(rest)) items.push(this.readMap(k, depth + 1, rest));
      else {
        items.push(readInline(rest));
        this.i++;
      }
    }
    return items;
  }
}

/** A value on the rest of a `key: ` line: a flow mapping, `[]`, or a one-line scalar. */
function readInline(rest: string): unknown {
  let s = 0;
  while (rest.charCodeAt(s) === 32) s++;
  const c = rest.charCodeAt(s);
  if (c === 123) {
    const { value, end } = readFlowMap(rest, s);
    if (!AFTER_SCALAR.test(rest.slice(end))) throw UNSUPPORTED;
    return value;
  }
  if (c === 91) {
    if (!/^\[\](?: +#.*| *)$/.test(rest.slice(s))) throw UNSUPPORTED;
    return [];
  }
  if (c === 34 || c === 39) {
    const { value, end } = readQuoted(rest, s);
    if (!AFTER_SCALAR.test(rest.slice(end))) throw UNSUPPORTED;
    return value;
  }
  const hash = rest.indexOf(' #', s);
  const plain = trimSpacesEnd(hash === -1 ? rest.slice(s) : rest.slice(s, hash));
  if (plain.includes(': ') || plain.endsWith(':')) throw UNSUPPORTED;
  return resolvePlain(plain);
}

/** A one-line quoted scalar without escapes starting at `s`; its text and the offset after it. */
function readQuoted(line: string, s: number): { value: string; end: number } {
  const quote = line[s]!;
  const close = line.indexOf(quote, s + 1);
  if (close === -1) throw UNSUPPORTED;
  const value = line.slice(s + 1, close);
  if (quote === '"' && value.includes('\\')) throw UNSUPPORTED;
  if (quote === "'" && line[close + 1] === "'") throw UNSUPPORTED;
  return { value, end: close + 1 };
}

/** `{ key: value, ... }` on one line, values being scalars. */
function readFlowMap(line: string, s: number): { value: Record<string, unknown>; end: number } {
  const obj: Record<string, unknown> = {};
  let p = s + 1;
  for (;;) {
    while (line.charCodeAt(p) === 32) p++;
    FLOW_KEY.lastIndex = p;
    const km = FLOW_KEY.exec(line);
    if (!km) throw UNSUPPORTED;
    const key = km[0];
    p += key.length;
    if (line.charCodeAt(p) !== 58 || line.charCodeAt(p + 1) !== 32) throw UNSUPPORTED;
    if (Object.hasOwn(obj, key) || NOT_A_TEXT_KEY.test(key)) throw UNSUPPORTED;
    p += 2;
    while (line.charCodeAt(p) === 32) p++;
    const c = line.charCodeAt(p);
    if (c === 34 || c === 39) {
      const q = readQuoted(line, p);
      obj[key] = q.value;
      p = q.end;
    } else {
      let e = p;
      while (e < line.length && line.charCodeAt(e) !== 44 && line.charCodeAt(e) !== 125) e++;
      const plain = trimSpacesEnd(line.slice(p, e));
      if (/[[\]{}#:]/.test(plain)) throw UNSUPPORTED;
      obj[key] = resolvePlain(plain);
      p = e;
    }
    while (line.charCodeAt(p) === 32) p++;
    const sep = line.charCodeAt(p);
    p++;
    if (sep === 125) return { value: obj, end: p };
    if (sep !== 44) throw UNSUPPORTED;
  }
}

/** A plain scalar as the core schema reads it: text or a boolean; anything else leaves the subset. */
function resolvePlain(plain: string): string | boolean {
  if (plain === '' || PLAIN_BAD_START.test(plain)) throw UNSUPPORTED;
  if (TRUE.test(plain)) return true;
  if (FALSE.test(plain)) return false;
  for (const re of CORE_NOT_TEXT) if (re.test(plain)) throw UNSUPPORTED;
  return plain;
}
