import { LosslessNumber, parse } from 'lossless-json';

/**
 * Parses JSON as lossless-json does (every number a LosslessNumber holding its exact text; a
 * duplicate key or invalid JSON throws its SyntaxError), through the native JSON.parse whenever
 * that gives the same value: every number written canonically (as String(Number(text)) writes
 * it, so the text can be restored from the value) and no key repeated. Anything else is parsed by
 * lossless-json itself. A request body of 500 items parses several times faster this way, which is
 * what lets the sandbox keep up with a client sending several requests at once.
 */
export function parseExactJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // lossless-json's message (with its position) is the one callers report.
    return parse(text);
  }
  const tree: TreeCount = { keys: 0, colons: 0, numbers: 0, protoKey: false };
  countTree(value, tree);
  // A "__proto__" key is left to lossless-json (assigning it would set a prototype).
  if (tree.protoKey) return parse(text);
  if (tree.numbers === 0 && text.indexOf('\\') === -1) {
    // The usual body: no number, no escape. Each colon of the text is then a key's or one inside a
    // string, so the text has as many as the value has keys and colons in its strings unless a key
    // is repeated (JSON.parse keeps the last: one key fewer, and the strings of the value it dropped).
    if (colonsIn(text) === tree.keys + tree.colons) return value;
    return parse(text);
  }
  const scan = scanTokens(text);
  // JSON.parse keeps the last of repeated keys: fewer keys than the text names means a duplicate.
  if (scan.canonicalNumbers && scan.keys === tree.keys) return tree.numbers === 0 ? value : withLosslessNumbers(value);
  return parse(text);
}

interface TreeCount {
  keys: number;
  /** Colons inside the keys and strings. */
  colons: number;
  numbers: number;
  protoKey: boolean;
}

/** Counts a parsed value's keys, the colons in its keys and strings, and its numbers. */
function countTree(value: unknown, count: TreeCount): void {
  if (typeof value === 'string') {
    count.colons += colonsIn(value);
  } else if (typeof value === 'number') count.numbers++;
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) countTree(value[i], count);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    // for...in walks a parsed object's own keys without listing them in a new array.
    for (const key in record) {
      count.keys++;
      if (key === '__proto__') count.protoKey = true;
      count.colons += colonsIn(key);
      countTree(record[key], count);
    }
  }
}

function colonsIn(text: string): number {
  let n = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) n++;
  return n;
}

/** Counts the object keys of JSON text and tells whether every number is written canonically. */
function scanTokens(text: string): { keys: number; canonicalNumbers: boolean } {
  let keys = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
      // A string followed by a colon is a key.
      while (i < n && isWhitespace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 0x3a) keys++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const token = text.slice(start, i);
      if (String(Number(token)) !== token) return { keys, canonicalNumbers: false };
    } else i++;
  }
  return { keys, canonicalNumbers: true };
}

/** The index after the closing quote of the string starting at `open` (or the text's end). */
function stringEnd(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const close = text.indexOf('"', at);
    if (close === -1) return text.length;
    let backslashes = 0;
    for (let k = close - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    at = close + 1;
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

/** Replaces every number by a LosslessNumber of its canonical text (a "__proto__" key was ruled out). */
function withLosslessNumbers(value: unknown): unknown {
  if (typeof value === 'number') return new LosslessNumber(String(value));
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withLosslessNumbers(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = withLosslessNumbers(record[key]);
  return record;
}
