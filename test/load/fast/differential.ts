import { parse } from 'csv-parse/sync';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { expect } from 'vitest';
import { splitPlainCsv } from '../../../src/load/fast/csv-plain.js';
import { fastReadGroupLines } from '../../../src/load/fast/fast-group-file.js';
import { readYamlSubset, type SubsetDocument } from '../../../src/load/fast/yaml-subset.js';
import type { LoadedGroup } from '../../../src/load/group-file.js';
import { readGroupFile } from '../../../src/load/group-file.js';
import type { IdentityTypeSettings } from '../../../src/load/identity-types.js';
import { readGroupBytes } from '../../../src/load/load-group-file.js';

// The one differential harness of the speed-only readers (src/load/fast/): each is held to the
// reader it stands in for. The YAML subset reader to the `yaml` package (whatever it accepts, yaml
// accepts and reads alike); the fast group-file path to the full path (the loader's result, fast
// or fallen back, is the full path's, issues and positions included); the quote-free CSV splitter
// to csv-parse (the same records on the same lines).

/** The options yaml-source.ts parses with. */
const YAML_OPTIONS = { uniqueKeys: true, strict: true, version: '1.2', merge: false, resolveKnownTags: false } as const;

/** The subset reader's document of a text, or undefined when it leaves the text to the full parser. */
export function subsetOf(text: string): SubsetDocument | undefined {
  const read = readYamlSubset(text.split('\n'));
  return 'value' in read ? read : undefined;
}

/** The fast path's group of a group file's text, or undefined when it leaves the file to the full path. */
export function fastGroupOf(file: string, text: string, identityTypes?: IdentityTypeSettings): LoadedGroup | undefined {
  const read = fastReadGroupLines(file, text.split('\n'), identityTypes);
  return 'group' in read ? read : undefined;
}

/** The yaml package's reading: its value, or undefined when it refuses the text or reads a key as other than text. */
export function yamlReading(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        if (!isScalar(k) || typeof k.value !== 'string') return undefined;
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return { value: doc.toJS({ maxAliasCount: 100 }) };
}

/** Whatever the subset reader accepts, yaml accepts too and reads the same; true when it accepted. */
export function expectSubsetAsYaml(text: string): boolean {
  const subset = subsetOf(text);
  if (!subset) return false;
  const reference = yamlReading(text);
  expect(reference, `the fast reader accepted what YAML refuses:\n${JSON.stringify(text)}`).toBeDefined();
  expect(subset.value, JSON.stringify(text)).toEqual(reference!.value);
  return true;
}

/** The loader (fast path, or the full path it falls back to) says what the full path alone says; and the subset reader agrees with yaml. */
export function expectSameAsFull(file: string, text: string, identityTypes?: IdentityTypeSettings): void {
  const bytes = Buffer.from(text);
  const where = { cwd: '/nonexistent', root: '/nonexistent', ...(identityTypes ? { identityTypes } : {}) };
  expect(readGroupBytes(where, file, bytes), JSON.stringify(text)).toEqual(readGroupFile(file, bytes, identityTypes));
  expectSubsetAsYaml(text);
}

/** The fast path reads the file itself (no fallback), and exactly as the full path does. */
export function expectFast(file: string, text: string, identityTypes?: IdentityTypeSettings): LoadedGroup {
  const fast = fastGroupOf(file, text, identityTypes);
  expect(fast, `the fast path left this file to the full parser:\n${text}`).toBeDefined();
  const full = readGroupFile(file, Buffer.from(text), identityTypes);
  expect(full.ok).toBe(true);
  expect(fast).toEqual(full.ok ? full.group : undefined);
  expect(subsetOf(text)!.value).toEqual(yamlReading(text)!.value);
  return fast!;
}

/** The quote-free splitter gives csv-parse's records (fields and the line each starts on), or leaves the text to csv-parse. */
export function expectCsvAsCsvParse(text: string): boolean {
  const plain = splitPlainCsv(text);
  if (!plain) return false;
  const reference: { fields: string[]; line: number }[] = [];
  parse(text, { skip_empty_lines: true, relax_column_count: true, on_record: (record: string[], context: { lines: number }) => void reference.push({ fields: record, line: context.lines }) });
  const records = Array.from({ length: plain.length }, (_, i) => {
    const r = plain.at(i);
    return { fields: [...r.fields], line: r.line };
  });
  expect(records, JSON.stringify(text)).toEqual(reference);
  return true;
}
