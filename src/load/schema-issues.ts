import type { ErrorObject } from 'ajv';
import type { SourceIssue } from '../errors/index.js';
import { keyPositionOf, positionOf, sourceTextOf, type PathSegment, type YamlSource } from './yaml-source.js';

/**
 * Field-specific wording for a schema error: a message, or one placed at a key of the node
 * (`atKey`) or quoting identity values (`sensitive`, see SourceIssue); undefined for the default.
 */
export type Wording = (error: ErrorObject, path: readonly PathSegment[], field: string) => string | WordedIssue | undefined;

/** A worded message with where to place it and what it quotes. */
export interface WordedIssue {
  readonly message: string;
  readonly atKey?: string;
  readonly sensitive?: readonly string[];
}

/**
 * Turns ajv errors into issues at the offending YAML node, worded for people: unknown fields
 * suggest the closest known one, numbers where text is required say to quote them.
 */
export function schemaIssues(source: YamlSource, errors: readonly ErrorObject[], wording?: Wording): SourceIssue[] {
  const seen = new Set<string>();
  const issues: SourceIssue[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'oneOf') continue;
    const path = parsePointer(e.instancePath);
    const field = fieldName(path);
    const isKeyError = e.keyword === 'additionalProperties' || e.keyword === 'false schema';
    const key = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty: string }).additionalProperty) : undefined;
    const worded = wording?.(e, path, field);
    const atKey = typeof worded === 'object' ? (worded.atKey ?? key) : key;
    const pos = atKey !== undefined ? keyPositionOf(source, path, atKey) : isKeyError ? keyPositionOf(source, path.slice(0, -1), String(path.at(-1))) : positionOf(source, path);
    const message = (typeof worded === 'object' ? worded.message : worded) ?? defaultMessage(source, e, path, field);
    const id = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const sensitive = typeof worded === 'object' ? worded.sensitive : undefined;
    issues.push({ file: source.file, line: pos.line, column: pos.column, message, ...(sensitive ? { sensitive } : {}) });
  }
  return issues;
}

function defaultMessage(source: YamlSource, e: ErrorObject, path: readonly PathSegment[], field: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${where(field)}missing required field "${String(p.missingProperty)}"`;
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = allowedKeys(e);
      const hint = closest(key, allowed);
      return `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`;
    }
    case 'type': {
      const value = nodeValue(source, path);
      // A number where text is wanted is nearly always an unquoted id: say how to keep it as written.
      const written = typeof value === 'number' && p.type === 'string' ? sourceTextOf(source, path) : undefined;
      const fix = written !== undefined ? `: quote it ("${written}")` : '';
      return `${where(field)}must be ${article(String(p.type))}, not ${describe(value)}${fix}`;
    }
    case 'enum': {
      const allowed = p.allowedValues as unknown[];
      const actual = nodeValue(source, path);
      const hint =
        typeof actual === 'string'
          ? closest(
              actual,
              allowed.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      return `${where(field)}must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`;
    }
    case 'const':
      return `${where(field)}must be ${JSON.stringify(p.allowedValue)}`;
    case 'minLength':
      return `${where(field)}must not be empty`;
    case 'maxLength':
      return `${where(field)}must be at most ${String(p.limit)} characters`;
    case 'minItems':
      return `${where(field)}needs at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}`;
    case 'minimum':
      return `${where(field)}must be at least ${String(p.limit)}`;
    case 'maximum':
      return `${where(field)}must be at most ${String(p.limit)}`;
    case 'dependencies':
      return `${where(field)}"${String(p.property)}" requires "${String(p.missingProperty)}"`;
    case 'false schema':
      return `field "${field}" is not allowed here`;
    default:
      return `${where(field)}${e.message ?? 'is invalid'}`;
  }
}

function where(field: string): string {
  return field ? `${field}: ` : '';
}

function article(type: string): string {
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The value found at a path, for messages. */
export function nodeValue(source: YamlSource, path: readonly PathSegment[]): unknown {
  let v: unknown = source.value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were described above; what is left is a primitive (or a function)
  return `the ${typeof value} ${String(value)}`;
}

function allowedKeys(e: ErrorObject): string[] {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.entries(props)
    .filter(([, s]) => s !== false)
    .map(([k]) => k);
}

/** The closest known key within two edits (a quarter of the word for long ones), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(word.length / 4) + 1);
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** A JSON pointer as path segments (array indexes as numbers). */
export function parsePointer(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** A readable field path: members[3].phone. */
export function fieldName(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
