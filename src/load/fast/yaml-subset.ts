import { parseDocument } from 'yaml';

/**
 * A reader for the plain subset of YAML that group files are written in: block mappings with
 * identifier keys, block sequences, one-line flow mappings, `[]`, and one-line scalars (plain,
 * or quoted without escapes), and a top-level `deptId` written in decimal digits. A top-level
 * scalar that is more than that — a `|` or `>` block scalar (a description), a quoted value with
 * escapes, a value over several lines — is handed, with its own lines only, to the `yaml` package
 * (the same options as yaml-source.ts), so that one description never sends a file of 50,000
 * members to the full parser. It exists for speed: on this subset it gives exactly what the
 * `yaml` package's `parseDocument(...).toJS()` gives, and it refuses anything else — anchors,
 * tags, escapes inside the members, multi-line member values, numbers, nulls, odd indentation,
 * duplicate keys — saying where and why, so the caller falls back to the full parser, which has
 * the positions and the wording for every problem.
 */

/** A document of the subset: its value, and the lines that messages or duplicate checks need. */
export interface SubsetDocument {
  readonly value: Record<string, unknown>;
  /** The line (1-based) of each top-level key. */
  readonly keyLines: ReadonlyMap<string, number>;
  /** For each top-level key holding a block sequence: the line of each item. */
  readonly itemLines: ReadonlyMap<string, readonly number[]>;
  /** `department.deptId` as written (decimal digits), when it is an integer: its value may exceed 2^53. */
  readonly deptIdText?: string;
}

/** Why a text is not read by the subset reader: the line (1-based) where it left the subset, and what it met there. */
export interface SubsetRefusal {
  readonly line: number;
  readonly reason: string;
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
const DECIMAL = /^[0-9]+$/;
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
/** The options yaml-source.ts parses with: a top-level scalar read on its own is read as the whole file would be. */
const YAML_OPTIONS = { uniqueKeys: true, strict: true, prettyErrors: false, version: '1.2', merge: false, keepSourceTokens: false, resolveKnownTags: false } as const;
/** Top-level keys whose value the subset reads itself, never as a scalar of its own (their positions and digits matter). */
const STRUCTURED = new Set(['members', 'memberFiles', 'department']);
/** topLevelScalar's answer for a value that is not a scalar on its key's line. */
const NOT_OWN = Symbol('not a scalar of its own');

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

/** Thrown inside the reader when the text leaves the subset (made only then: once per file); never escapes this module. */
class Unsupported extends Error {}

/**
 * Reads a text already split at its line feeds, if it is in the subset (the array is changed: a
 * byte-order mark and the CR of each CRLF are taken off, which the caller may rely on); a text
 * outside the subset gives where and why it left it, for the caller to use the full parser.
 */
export function readYamlSubset(lines: string[]): SubsetDocument | SubsetRefusal {
  if (lines.length > 0 && lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1);
  const last = lines.length - 1;
  for (let n = 0; n <= last; n++) {
    let line = lines[n]!;
    // A CR belongs to a CRLF only when a line feed follows it, which the last line's has not.
    if (n < last && line.charCodeAt(line.length - 1) === 13) lines[n] = line = line.slice(0, -1);
    if (UNSUPPORTED_CHAR.test(line)) return { line: n + 1, reason: 'a tab, control or other character YAML treats specially' };
  }
  const reader = new SubsetReader(lines);
  try {
    return reader.read();
  } catch (err) {
    if (err instanceof Unsupported) return { line: Math.min(reader.line, lines.length), reason: err.message };
    throw err;
  }
}

class SubsetReader {
  private i = 0;
  private readonly keyLines = new Map<string, number>();
  private readonly itemLines = new Map<string, number[]>();
  private deptIdText: string | undefined;

  constructor(private readonly lines: readonly string[]) {}

  /** The line (1-based) the reader was at. */
  get line(): number {
    return this.i + 1;
  }

  read(): SubsetDocument {
    if (this.peek() !== 0) throw new Unsupported(this.i < this.lines.length ? 'an indented document' : 'an empty document');
    const value = this.readMap(0, 0, undefined, undefined);
    if (this.peek() !== -1) throw new Unsupported('text after the top-level mapping');
    return { value, keyLines: this.keyLines, itemLines: this.itemLines, ...(this.deptIdText !== undefined ? { deptIdText: this.deptIdText } : {}) };
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
      if (k === 0 && (line.startsWith('%') || /^(?:---|\.\.\.)(?: |$)/.test(line))) throw new Unsupported('a directive or document marker');
      return k;
    }
    return -1;
  }

  /**
   * A block mapping whose keys start at `col`; `first` is its first entry when it sits on a `- `
   * line; `parent` is the top-level key it is under (only deptId under department may be a number).
   */
  private readMap(col: number, depth: number, first: string | undefined, parent: string | undefined): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new Unsupported('nesting deeper than a group file');
    const obj: Record<string, unknown> = {};
    let content = first;
    for (;;) {
      if (content === undefined) {
        const indent = this.peek();
        if (indent > col) throw new Unsupported('a line indented more than its mapping');
        if (indent < col) break;
        content = this.lines[this.i]!.slice(col);
        if (content.charCodeAt(0) === 45) break;
      }
      const lineNo = this.i + 1;
      const m = KEY.exec(content);
      if (!m) throw new Unsupported('a key that is not a plain identifier, or a line that is no "key: value"');
      const key = m[1]!;
      if (Object.hasOwn(obj, key)) throw new Unsupported(`the key ${key} twice`);
      if (NOT_A_TEXT_KEY.test(key)) throw new Unsupported(`the key ${key}, which YAML reads as other than text`);
      const rest = content.slice(m[0].length);
      if (depth === 0) {
        this.keyLines.set(key, lineNo);
        if (!STRUCTURED.has(key)) {
          const own = this.topLevelScalar(key, rest);
          if (own !== NOT_OWN) {
            obj[key] = own;
            content = undefined;
            continue;
          }
        }
      }
      this.i++;
      if (EMPTY_REST.test(rest)) obj[key] = this.readNested(col, depth, key, depth === 0 ? key : parent);
      else if (parent === 'department' && depth === 1 && key === 'deptId') obj[key] = this.readDeptId(rest);
      else obj[key] = readInline(rest, depth === 0 && key === 'department' ? (text) => (this.deptIdText = text) : undefined);
      content = undefined;
    }
    return obj;
  }

  /**
   * The value of a top-level key other than members, memberFiles and department, when it is a
   * scalar: read inline when it is one line the subset reads, else by the `yaml` package from its
   * own lines (a block scalar, a quoted value with escapes or over several lines, a plain value
   * continued on the lines below); NOT_OWN for a value on the lines below (a mapping or a list).
   */
  private topLevelScalar(key: string, rest: string): unknown {
    const c = rest.charCodeAt(0);
    if (c === 124 || c === 62 || this.continues()) return this.readScalarOnItsOwn(key);
    if (EMPTY_REST.test(rest)) return NOT_OWN;
    try {
      const value = readInline(rest, undefined);
      this.i++;
      return value;
    } catch (err) {
      if (err instanceof Unsupported) return this.readScalarOnItsOwn(key);
      throw err;
    }
  }

  /** Whether the next content line after the current one is indented text (not a comment, not a list item): a value continued. */
  private continues(): boolean {
    for (let n = this.i + 1; n < this.lines.length; n++) {
      const line = this.lines[n]!;
      let k = 0;
      while (line.charCodeAt(k) === 32) k++;
      if (k === line.length) continue;
      return k > 0 && line.charCodeAt(k) !== 35 && !(line.charCodeAt(k) === 45 && line.charCodeAt(k + 1) === 32);
    }
    return false;
  }

  /**
   * The value of the top-level key on the current line, read by the `yaml` package from that key's
   * lines alone: the key line and every line after it that is blank or indented (a top-level
   * value's text never reaches column 0), the end of the text excepted, as in the whole file.
   */
  private readScalarOnItsOwn(key: string): unknown {
    const from = this.i;
    let to = from + 1;
    while (to < this.lines.length && (this.lines[to]!.length === 0 || this.lines[to]!.charCodeAt(0) === 32)) to++;
    const atEnd = to === this.lines.length;
    const doc = parseDocument(this.lines.slice(from, to).join('\n') + (atEnd ? '' : '\n'), YAML_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0) throw new Unsupported(`the ${key} value is not valid YAML on its own`);
    let value: unknown;
    try {
      value = (doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null)?.[key];
    } catch {
      // An alias of an anchor set before these lines, or aliases expanding too far: the full parser's.
      throw new Unsupported(`the ${key} value is not valid YAML on its own`);
    }
    // Text only: anything else (a mapping, a tagged value, a number) is the full parser's to report.
    if (typeof value !== 'string') throw new Unsupported(`the ${key} value is not text`);
    this.i = to;
    return value;
  }

  /** `deptId: 40213`: decimal digits, kept as written (a long may exceed 2^53); any other spelling is the full parser's. */
  private readDeptId(rest: string): unknown {
    const hash = rest.indexOf(' #');
    const plain = trimSpacesEnd(hash === -1 ? rest : rest.slice(0, hash)).replace(/^ +/, '');
    if (!DECIMAL.test(plain)) return readInline(rest, undefined);
    this.deptIdText = plain;
    return Number(plain);
  }

  /** The block value under `key:` — deeper lines, or a sequence at the key's own indentation. */
  private readNested(col: number, depth: number, key: string, top: string | undefined): unknown {
    const indent = this.peek();
    if (indent === -1 || indent < col) throw new Unsupported(`an empty value of ${key}`);
    const line = this.lines[this.i]!;
    const isItem = line.charCodeAt(indent) === 45 && line.charCodeAt(indent + 1) === 32;
    if (isItem) return this.readSeq(indent, depth + 1, depth === 0 ? key : undefined);
    if (indent === col) throw new Unsupported(`an empty value of ${key}`);
    return this.readMap(indent, depth + 1, undefined, top);
  }

  /** A block sequence whose `- ` indicators sit at `col`. */
  private readSeq(col: number, depth: number, topKey: string | undefined): unknown[] {
    if (depth > MAX_DEPTH) throw new Unsupported('nesting deeper than a group file');
    const items: unknown[] = [];
    const lines: number[] = [];
    if (topKey !== undefined) this.itemLines.set(topKey, lines);
    for (;;) {
      const indent = this.peek();
      if (indent > col) throw new Unsupported('a line indented more than its list');
      if (indent < col) break;
      const line = this.lines[this.i]!;
      if (!(line.charCodeAt(col) === 45 && line.charCodeAt(col + 1) === 32)) break;
      let k = col + 2;
      while (line.charCodeAt(k) === 32) k++;
      const rest = line.slice(k);
      lines.push(this.i + 1);
      if (rest.charCodeAt(0) === 123) {
        items.push(readInline(rest, undefined));
        this.i++;
      } else if (KEY.test(rest)) items.push(this.readMap(k, depth + 1, rest, undefined));
      else {
        items.push(readInline(rest, undefined));
        this.i++;
      }
    }
    return items;
  }
}

/**
 * A value on the rest of a `key: ` line: a flow mapping, `[]`, or a one-line scalar. `deptId`, for
 * the top-level department: its flow mapping's deptId may be decimal digits, handed over as written.
 */
function readInline(rest: string, deptId: ((text: string) => void) | undefined): unknown {
  let s = 0;
  while (rest.charCodeAt(s) === 32) s++;
  const c = rest.charCodeAt(s);
  if (c === 123) {
    const { value, end } = readFlowMap(rest, s, deptId);
    if (!AFTER_SCALAR.test(rest.slice(end))) throw new Unsupported('text after a flow mapping');
    return value;
  }
  if (c === 91) {
    if (!/^\[\](?: +#.*| *)$/.test(rest.slice(s))) throw new Unsupported('a flow sequence');
    return [];
  }
  if (c === 34 || c === 39) {
    const { value, end } = readQuoted(rest, s);
    if (!AFTER_SCALAR.test(rest.slice(end))) throw new Unsupported('text after a quoted value');
    return value;
  }
  const hash = rest.indexOf(' #', s);
  const plain = trimSpacesEnd(hash === -1 ? rest.slice(s) : rest.slice(s, hash));
  if (plain.includes(': ') || plain.endsWith(':')) throw new Unsupported('a plain value holding ": " or ending in ":"');
  return resolvePlain(plain);
}

/** A one-line quoted scalar without escapes starting at `s`; its text and the offset after it. */
function readQuoted(line: string, s: number): { value: string; end: number } {
  const quote = line[s]!;
  const close = line.indexOf(quote, s + 1);
  if (close === -1) throw new Unsupported('a quoted value over several lines, or not closed');
  const value = line.slice(s + 1, close);
  if (quote === '"' && value.includes('\\')) throw new Unsupported('an escape (\\) in a double-quoted value');
  if (quote === "'" && line[close + 1] === "'") throw new Unsupported("a doubled '' in a single-quoted value");
  return { value, end: close + 1 };
}

/** `{ key: value, ... }` on one line, values being scalars; with `deptId`, a deptId may be decimal digits. */
function readFlowMap(line: string, s: number, deptId: ((text: string) => void) | undefined): { value: Record<string, unknown>; end: number } {
  const obj: Record<string, unknown> = {};
  let p = s + 1;
  for (;;) {
    while (line.charCodeAt(p) === 32) p++;
    FLOW_KEY.lastIndex = p;
    const km = FLOW_KEY.exec(line);
    if (!km) throw new Unsupported('a flow mapping over several lines, or a key that is not a plain identifier');
    const key = km[0];
    p += key.length;
    if (line.charCodeAt(p) !== 58 || line.charCodeAt(p + 1) !== 32) throw new Unsupported('a flow mapping key without ": "');
    if (Object.hasOwn(obj, key)) throw new Unsupported(`the key ${key} twice`);
    if (NOT_A_TEXT_KEY.test(key)) throw new Unsupported(`the key ${key}, which YAML reads as other than text`);
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
      if (/[[\]{}#:]/.test(plain)) throw new Unsupported('a flow value holding [, ], {, }, # or :');
      if (deptId && key === 'deptId' && DECIMAL.test(plain)) {
        deptId(plain);
        obj[key] = Number(plain);
      } else obj[key] = resolvePlain(plain);
      p = e;
    }
    while (line.charCodeAt(p) === 32) p++;
    const sep = line.charCodeAt(p);
    p++;
    if (sep === 125) return { value: obj, end: p };
    if (sep !== 44) throw new Unsupported('a flow mapping not closed on its line');
  }
}

/** A plain scalar as the core schema reads it: text or a boolean; anything else leaves the subset. */
function resolvePlain(plain: string): string | boolean {
  if (plain === '') throw new Unsupported('an empty value (null)');
  if (PLAIN_BAD_START.test(plain)) throw new Unsupported(`a plain value starting with ${plain[0]} (an anchor, alias, tag, block scalar or other indicator)`);
  if (TRUE.test(plain)) return true;
  if (FALSE.test(plain)) return false;
  for (const re of CORE_NOT_TEXT) if (re.test(plain)) throw new Unsupported('a number or null where text belongs (quote identity values)');
  return plain;
}
