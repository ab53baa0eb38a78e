import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { SourceIssue } from '../errors/index.js';
import { decodeUtf8 } from './utf8-text.js';

/** A parsed YAML file that keeps what is needed to point at any of its nodes. */
export interface YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly text: string;
  /** The document as plain data (aliases expanded within the bound). */
  readonly value: unknown;
}

export type PathSegment = string | number;

/** Aliases a file may expand: enough for any hand-written reuse, far too few for a "billion laughs" file. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Decodes and parses one YAML file strictly: not UTF-8, syntax errors, duplicate keys, several
 * documents, unknown tags and excessive aliases are issues with positions, never silently accepted.
 */
export function parseYamlSource(file: string, bytes: Uint8Array): { ok: true; source: YamlSource } | { ok: false; issues: SourceIssue[] } {
  const decoded = decodeUtf8(file, bytes, 'the file is not valid UTF-8 (GBK or another legacy encoding?): save it as UTF-8, e.g. iconv -f GBK -t UTF-8');
  if (!decoded.ok) return { ok: false, issues: [decoded.issue] };
  const text = decoded.text;
  const lineCounter = new LineCounter();
  // resolveKnownTags off: !!binary, !!set, !!timestamp... would turn values into objects a group file never holds.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, strict: true, prettyErrors: false, version: '1.2', merge: false, keepSourceTokens: false, resolveKnownTags: false });
  const issues: SourceIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(e.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, message: yamlMessage(e.code, e.message, doc, lineCounter, text, e.pos[0]) });
  }
  // Too deep to parse: one message, at the first place (the parser reports each level it gave up at).
  const tooDeep = issues.find((i) => i.message === TOO_DEEP);
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  if (issues.length > 0) return { ok: false, issues };
  // Before toJS: it would turn a key YAML reads as a boolean or a number into text ("true", "Infinity").
  const shape = shapeIssue(doc, lineCounter, text);
  if (shape) return { ok: false, issues: [{ file, ...shape }] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const pos = firstAliasPosition(doc, lineCounter);
    const why = err instanceof ReferenceError ? `aliases expand too far (more than ${MAX_ALIAS_COUNT}); write the values out instead` : String(err);
    return { ok: false, issues: [{ file, line: pos.line, column: pos.column, message: why }] };
  }
  return { ok: true, source: { file, doc, lineCounter, text, value } };
}

/** The deepest nesting a groupops file may have: a group file nests five levels, a config three. */
export const MAX_YAML_DEPTH = 64;

const TOO_DEEP = `YAML nests too deeply (more than ${MAX_YAML_DEPTH} levels) to be a groupops file: flatten it`;

/**
 * The first node that makes the document something no groupops file is: a mapping key that is not
 * text (YAML reads `true`, `no` under %YAML 1.1, `.inf`, `.NaN`, `1`, `~` as a boolean, a number
 * or null; a list or an alias as a key), or nesting beyond MAX_YAML_DEPTH. Walked with a stack, so
 * that depth costs no call stack.
 */
function shapeIssue(doc: Document.Parsed, lineCounter: LineCounter, text: string): { line: number; column: number; message: string } | undefined {
  const at = (node: Node | null | undefined, message: string) => {
    const p = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { line: p.line, column: p.col, message };
  };
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_YAML_DEPTH) return at(node as Node, TOO_DEEP);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const problem = keyProblem(key, text);
        if (problem) return at(key ?? (pair.value as Node | null) ?? node, problem);
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
  }
  return undefined;
}

/** Why a mapping key is not text, or undefined when it is. */
function keyProblem(key: Node | null, text: string): string | undefined {
  if (key === null) return 'a mapping key is missing (YAML reads it as null): write the key';
  if (isAlias(key)) return 'an alias (*name) is not allowed as a key: write the key out';
  if (!isScalar(key)) return 'a key must be text, not a list or a mapping';
  const v = key.value;
  if (typeof v === 'string') return undefined;
  const written = key.range ? text.slice(key.range[0], key.range[1]).trim() : String(v);
  const what = v === null ? 'as empty (null)' : typeof v === 'boolean' ? 'as a boolean' : 'as a number';
  return `the key ${written} is read by YAML ${what}, not as text: quote it ("${written}") if it is meant as text`;
}

function yamlMessage(code: string, message: string, doc: Document.Parsed, lineCounter: LineCounter, text: string, offset: number): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return duplicateKeyMessage(doc, lineCounter, offset);
  if (code === 'MULTIPLE_DOCS') return 'a file holds one YAML document (one group): remove the "---" line and put the next group in a file of its own';
  if (code === 'TAG_RESOLVE_FAILED') return `YAML: unknown tag ${text.slice(offset).split(/\s/)[0] ?? ''}: remove it (plain values and quoted text need no tag)`;
  if (code === 'TAB_AS_INDENT') return 'YAML: tabs are not allowed as indentation: indent with spaces';
  if (code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(first)) return TOO_DEEP;
  return `YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** "duplicate key" with the key and the line of its first occurrence, so the user knows which one to keep. */
function duplicateKeyMessage(doc: Document.Parsed, lineCounter: LineCounter, offset: number): string {
  let found: { key: string; firstLine: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const k = pair.key as Node | null;
        if (!k || !isScalar(k) || !k.range) continue;
        const name = String(k.value);
        const before = seen.get(name);
        if (before !== undefined && k.range[0] === offset) {
          found = { key: name, firstLine: lineCounter.linePos(before).line };
          return visit.BREAK;
        }
        if (before === undefined) seen.set(name, k.range[0]);
      }
      return undefined;
    },
  });
  return found
    ? `duplicate key "${found.key}" (first on line ${found.firstLine}): a key may appear once in a mapping; keep one of them`
    : 'duplicate key: a key may appear once in a mapping; keep one of them';
}

/** Line and column of an offset. */
export function positionAt(source: YamlSource, offset: number): { line: number; column: number } {
  const p = source.lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The node at a path, or the deepest existing ancestor. */
export function nodeAt(source: YamlSource, path: readonly PathSegment[]): Node | undefined {
  let node: unknown = source.doc.contents;
  for (const seg of path) {
    const next = childOf(node, seg);
    if (next === undefined) break;
    node = next;
  }
  return node as Node | undefined;
}

/** The position of the node at a path (the start of its value), falling back to the nearest ancestor. */
export function positionOf(source: YamlSource, path: readonly PathSegment[]): { line: number; column: number } {
  const node = nodeAt(source, path);
  return positionAt(source, node?.range?.[0] ?? 0);
}

/** The position of a key inside the mapping at `path` (for unknown or misplaced fields). */
export function keyPositionOf(source: YamlSource, path: readonly PathSegment[], key: string): { line: number; column: number } {
  const map = nodeAt(source, path);
  if (isMap(map)) {
    for (const pair of map.items) {
      const k = pair.key as Node | null;
      if (k && isScalar(k) && String(k.value) === key) return positionAt(source, k.range?.[0] ?? 0);
    }
  }
  return positionOf(source, path);
}

function childOf(node: unknown, seg: PathSegment): unknown {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key;
      if (isScalar(k) && String(k.value) === String(seg)) return pair.value ?? undefined;
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') return node.items[seg];
  if (isPair(node)) return node.value;
  return undefined;
}

function firstAliasPosition(doc: Document.Parsed, lineCounter: LineCounter): { line: number; column: number } {
  let offset = 0;
  const walk = (n: unknown): boolean => {
    if (isAlias(n)) {
      offset = n.range?.[0] ?? 0;
      return true;
    }
    if (isMap(n)) return n.items.some((p) => walk(p.key) || walk(p.value));
    if (isSeq(n)) return n.items.some(walk);
    return false;
  };
  walk(doc.contents);
  const p = lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The source text of the node at a path (e.g. a number exactly as written). */
export function sourceTextOf(source: YamlSource, path: readonly PathSegment[]): string | undefined {
  const range = nodeAt(source, path)?.range;
  return range ? source.text.slice(range[0], range[1]) : undefined;
}
