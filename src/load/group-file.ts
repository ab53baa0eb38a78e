import type { ErrorObject } from 'ajv';
import type { SourceIssue } from '../errors/index.js';
import { memberKey, type Category, type Department, type DepartmentField, type GroupRef, type Identity, type Member } from '../core/model.js';
import { schemaValidator } from './schemas.js';
import { closest, nodeValue, schemaIssues, type Wording } from './schema-issues.js';
import { keyPositionOf, parseYamlSource, positionOf, sourceTextOf, type PathSegment, type YamlSource } from './yaml-source.js';

/** A member read from a group file, with the line it starts on. */
export interface LoadedMember {
  readonly key: string;
  readonly member: Member;
  readonly line: number;
}

/** A valid group file. */
export interface LoadedGroup {
  readonly file: string;
  readonly group: GroupRef;
  /** The line of the group's `name:` (where a duplicate group is reported). */
  readonly nameLine: number;
  readonly description?: string;
  readonly members: readonly LoadedMember[];
}

export type GroupFileResult = { ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[] };

/** Fields of a shorthand member that are not its identity type. */
const SHORTHAND_FIELDS = new Set(['platform', 'appid', 'isWeChatEcosystem']);
const RESERVED_KEYS = new Set([...SHORTHAND_FIELDS, 'identities', 'type', 'value']);
const DEPARTMENT_FIELDS: readonly DepartmentField[] = ['wxDeptId', 'thirdDeptId', 'deptId'];

/** Reads one group file: YAML, then the schema, then the rules of the file format; every issue is collected. */
export function readGroupFile(file: string, bytes: Uint8Array): GroupFileResult {
  const parsed = parseYamlSource(file, bytes);
  if (!parsed.ok) return parsed;
  const source = parsed.source;
  const value = source.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const pos = positionOf(source, []);
    const what = value === null || value === undefined ? 'empty' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return { ok: false, issues: [{ file, ...pos, message: `a group file is a mapping with name and members (this one is ${what})` }] };
  }
  const validate = schemaValidator('group');
  const issues: SourceIssue[] = validate(value) ? [] : schemaIssues(source, validate.errors ?? [], groupWording(source));
  const doc = value as Record<string, unknown>;
  const members = Array.isArray(doc.members) ? doc.members : [];
  const loaded: LoadedMember[] = [];
  const firstLine = new Map<string, number>();
  members.forEach((raw, i) => {
    const path = ['members', i];
    const member = toMember(source, raw, path, issues);
    if (!member) return;
    const line = positionOf(source, path).line;
    const key = memberKey(member);
    const seen = firstLine.get(key);
    if (seen !== undefined) {
      const id = member.identities[0]!;
      issues.push({ file, line, column: positionOf(source, path).column, message: `duplicate member: ${id.type} "${id.value}" is already listed on line ${seen} of this group (a member's key is its first identity)` });
      return;
    }
    firstLine.set(key, line);
    loaded.push({ key, member, line });
  });
  if (issues.length > 0) return { ok: false, issues };
  const group = toGroupRef(source, doc);
  return {
    ok: true,
    group: { file, group, nameLine: keyPositionOf(source, [], 'name').line, members: loaded, ...(typeof doc.description === 'string' ? { description: doc.description } : {}) },
  };
}

function toGroupRef(source: YamlSource, doc: Record<string, unknown>): GroupRef {
  const category = (doc.category ?? 'enterprise') as Category;
  const name = doc.name as string;
  if (category !== 'department') return { name, category };
  const dept = doc.department as Record<string, unknown>;
  const field = DEPARTMENT_FIELDS.find((f) => f in dept)!;
  // deptId is a long: take its digits as written so a value beyond 2^53 stays exact.
  const value = field === 'deptId' ? (sourceTextOf(source, ['department', 'deptId']) ?? String(dept[field])).trim() : String(dept[field]).trim();
  const department: Department = { field, value };
  return { name, category, department };
}

/** Builds a member from either form, reporting what the schema cannot say (exactly one identity key). */
function toMember(source: YamlSource, raw: unknown, path: PathSegment[], issues: SourceIssue[]): Member | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  if ('identities' in m) {
    if (!Array.isArray(m.identities) || m.identities.length === 0) return undefined;
    const identities: Identity[] = [];
    for (const id of m.identities as unknown[]) {
      if (!isIdentityShape(id)) return undefined;
      identities.push(identityOf(id.type, id.value, id));
    }
    return { identities };
  }
  const keys = Object.keys(m).filter((k) => !RESERVED_KEYS.has(k));
  if (keys.length !== 1) {
    const pos = keys.length === 0 ? positionOf(source, path) : keyPositionOf(source, path, keys[1]!);
    const message =
      keys.length === 0
        ? 'a member needs an identity, e.g. phone: "18888888888" (the key is the identity type)'
        : `a shorthand member has exactly one identity key, found ${keys.map((k) => `"${k}"`).join(' and ')}: list several identities of one person under identities:`;
    issues.push({ file: source.file, ...pos, message });
    return undefined;
  }
  const type = keys[0]!;
  if (typeof m[type] !== 'string') return undefined;
  return { identities: [identityOf(type, m[type], m)] };
}

function isIdentityShape(v: unknown): v is { type: string; value: string } & Record<string, unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { value?: unknown }).value === 'string';
}

function identityOf(type: string, value: string, fields: Record<string, unknown>): Identity {
  const id: { -readonly [K in keyof Identity]: Identity[K] } = { type, value: value.trim() };
  if (typeof fields.platform === 'string') id.platform = fields.platform.trim();
  if (typeof fields.appid === 'string') id.appid = fields.appid.trim();
  if (typeof fields.isWeChatEcosystem === 'boolean') id.isWeChatEcosystem = fields.isWeChatEcosystem;
  return id;
}

function isIdentityValuePath(path: readonly PathSegment[]): boolean {
  if (path[0] !== 'members' || typeof path[1] !== 'number') return false;
  if (path.length === 3) return typeof path[2] === 'string' && !RESERVED_KEYS.has(path[2]);
  return path.length === 5 && path[2] === 'identities' && path[4] === 'value';
}

/** Group-file wording for schema errors that a generic message would explain badly. */
function groupWording(source: YamlSource): Wording {
  return (e: ErrorObject, path) => {
    const p = e.params as Record<string, unknown>;
    const value = nodeValue(source, path);
    if (e.keyword === 'type' && isIdentityValuePath(path)) {
      if (typeof value === 'number' || typeof value === 'bigint') {
        const written = sourceTextOf(source, path) ?? String(value);
        return `identity value ${written} is a YAML number: quote it ("${written}") so leading zeros and "+" are kept`;
      }
      if (typeof value === 'boolean') return `identity value ${String(value)} is a YAML boolean: quote it if it is meant as text`;
      if (path.length === 3 && (Array.isArray(value) || (value !== null && typeof value === 'object'))) {
        const hint = closest(String(path[2]), ['identities']);
        return `"${String(path[2])}" is read as an identity type, but its value is not text${hint ? ` (did you mean "${hint}"?)` : ''}`;
      }
      if (value === null) return 'identity value is empty';
    }
    if (e.keyword === 'type' && path.length === 2 && path[0] === 'members') {
      return `a member is a mapping such as phone: "18888888888", not ${value === null ? 'empty' : JSON.stringify(value)}`;
    }
    if ((e.keyword === 'pattern' || e.keyword === 'minLength') && isIdentityValuePath(path)) return 'identity value is empty';
    if (e.keyword === 'pattern' && path.length === 1 && path[0] === 'name') {
      return 'name must not contain "," (the API splits group names at commas), control characters, or leading/trailing spaces';
    }
    if (e.keyword === 'pattern' && (path.at(-1) === 'type' || path.length === 3)) {
      return `"${String(path.at(-1) === 'type' ? value : path[2])}" is not a valid identity type: start with a letter, then letters, digits or _`;
    }
    if (e.keyword === 'additionalProperties' && path.length === 2 && path[0] === 'members') {
      const key = String(p.additionalProperty);
      return `"${key}" is not a valid identity type or member field: identity types start with a letter, then letters, digits or _`;
    }
    if (e.keyword === 'false schema' && path.length === 3 && path[0] === 'members') {
      return `"${String(path[2])}" belongs to the full form: identities: [{ type: phone, value: "…" }]`;
    }
    if (e.keyword === 'dependencies' && p.property === 'appid') {
      return 'appid requires isWeChatEcosystem (the API rejects an appid without it)';
    }
    if (e.keyword === 'required' && path.length === 0 && p.missingProperty === 'department') {
      return 'category: department needs a department with one of wxDeptId, thirdDeptId, deptId';
    }
    if (e.keyword === 'not' && path.length === 0) {
      return { message: 'department is only allowed with category: department (remove it, or set category: department)', atKey: 'department' };
    }
    if ((e.keyword === 'minProperties' || e.keyword === 'maxProperties') && path[0] === 'department') {
      return 'department takes exactly one of wxDeptId, thirdDeptId, deptId';
    }
    if (e.keyword === 'minProperties' && path[0] === 'members') {
      return 'a member needs an identity, e.g. phone: "18888888888" (the key is the identity type)';
    }
    return undefined;
  };
}
