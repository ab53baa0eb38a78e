import type { InputFile } from '../core/group-source.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import { memberKey, type Category, type Department, type DepartmentField, type GroupRef, type Identity, type Member } from '../core/model.js';
import { groupWording, IDENTITY_TYPE, MEMBER_FILE, RESERVED_KEYS, shorthandFieldTypo } from './group-wording.js';
import { buildIdentity, identityProblems, type IdentityField } from './identity-check.js';
import { identityTextProblem, trimBlanks } from './identity-text.js';
import { identityTypeRules, type IdentityTypeRules, type IdentityTypeSettings } from './identity-types.js';
import { schemaValidator } from './schemas.js';
import { schemaIssues } from './schema-issues.js';
import { keyPositionOf, parseYamlSource, positionOf, sourceTextOf, type PathSegment, type YamlSource } from './yaml-source.js';

/** A member read from a group file, with the line it starts on. */
export interface LoadedMember {
  readonly key: string;
  readonly member: Member;
  readonly line: number;
  /** The member-list file (CSV) the member came from; absent for members written in the group file. */
  readonly file?: string;
}

/** An entry of `memberFiles:` as written, with its position for messages. */
export interface MemberFileRef {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** Columns of the list to leave out (`{ path, ignoreColumns: [...] }`): never read, sent or recorded. */
  readonly ignoreColumns?: readonly IgnoredColumn[];
}

/** A column named under `ignoreColumns:`, with its position in the group file. */
export interface IgnoredColumn {
  readonly name: string;
  readonly line: number;
  readonly column: number;
}

/** A valid group file. */
export interface LoadedGroup {
  readonly file: string;
  readonly group: GroupRef;
  /** The line of the group's `name:` (where a duplicate group is reported). */
  readonly nameLine: number;
  readonly description?: string;
  readonly members: readonly LoadedMember[];
  /** The `memberFiles:` entries (CSV member lists), read by load-group-file.ts. */
  readonly memberFiles?: readonly MemberFileRef[];
  /**
   * The files read for the group (the group file, then its member lists) with the SHA-256 of the
   * bytes read: set when the loader is asked to (apply and adopt record them in the snapshot).
   */
  readonly inputs?: readonly InputFile[];
}

export type GroupFileResult = { ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[] };

/** What member-files.ts checks of a group: its own members and its member lists. */
export type MemberLists = Pick<LoadedGroup, 'file' | 'members' | 'memberFiles'>;

/**
 * A group file as read on its own. A faulty file still carries its valid members and the
 * `memberFiles:` entries that name a CSV file (`lists`), so its member lists are checked in the
 * same run: a duplicate across the file and a list is not left for the run after the fix.
 */
export type GroupFileRead = { ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[]; lists?: MemberLists };

const DEPARTMENT_FIELDS: readonly DepartmentField[] = ['wxDeptId', 'thirdDeptId', 'deptId'];

/**
 * Reads one group file: YAML, then the schema, then the rules of the file format and of identities
 * (`identityTypes`: the declared types and their patterns); every issue is collected.
 */
export function readGroupFile(file: string, bytes: Uint8Array, identityTypes?: IdentityTypeSettings): GroupFileRead {
  const rules = identityTypeRules(identityTypes);
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
  // A repeated memberFiles entry is reported by member-files.ts at each repetition (ajv names one pair, at the list).
  const errors = (validate(value) ? [] : (validate.errors ?? [])).filter((e) => !(e.keyword === 'uniqueItems' && e.instancePath === '/memberFiles'));
  const issues: SourceIssue[] = schemaIssues(source, errors, groupWording(source));
  const doc = value as Record<string, unknown>;
  const members = Array.isArray(doc.members) ? doc.members : [];
  const loaded: LoadedMember[] = [];
  const firstLine = new Map<string, number>();
  members.forEach((raw, i) => {
    const path = ['members', i];
    const member = toMember(source, raw, path, issues, rules);
    if (!member) return;
    const line = positionOf(source, path).line;
    const key = memberKey(member);
    const seen = firstLine.get(key);
    if (seen !== undefined) {
      const id = member.identities[0]!;
      issues.push({
        file,
        line,
        column: positionOf(source, path).column,
        message: `duplicate member: ${id.type} "${id.value}" is already listed on line ${seen} of this group (a member's key is its first identity): keep one of them`,
        sensitive: [id.value],
      });
      return;
    }
    firstLine.set(key, line);
    loaded.push({ key, member, line });
  });
  const group = issues.length > 0 ? undefined : toGroupRef(source, doc, issues);
  const memberFiles = memberFileRefs(source, doc.memberFiles);
  if (!group || issues.length > 0) {
    return { ok: false, issues: sortIssues(issues), ...(memberFiles && memberFiles.length > 0 ? { lists: { file, members: loaded, memberFiles } } : {}) };
  }
  return {
    ok: true,
    group: {
      file,
      group,
      nameLine: keyPositionOf(source, [], 'name').line,
      members: loaded,
      ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
      ...(memberFiles ? { memberFiles } : {}),
    },
  };
}

/**
 * The `memberFiles:` entries that name a CSV file, with their positions (the schema reports the
 * others): a path, or `{ path, ignoreColumns }`.
 */
function memberFileRefs(source: YamlSource, entries: unknown): MemberFileRef[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const refs: MemberFileRef[] = [];
  entries.forEach((entry: unknown, i) => {
    if (typeof entry === 'string' && MEMBER_FILE.test(entry)) refs.push({ path: entry, ...positionOf(source, ['memberFiles', i]) });
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
    const { path, ignoreColumns } = entry as { path?: unknown; ignoreColumns?: unknown };
    if (typeof path !== 'string' || !MEMBER_FILE.test(path)) return;
    const ignored = Array.isArray(ignoreColumns)
      ? ignoreColumns.flatMap((name: unknown, k) => (typeof name === 'string' ? [{ name, ...positionOf(source, ['memberFiles', i, 'ignoreColumns', k]) }] : []))
      : [];
    refs.push({ path, ...positionOf(source, ['memberFiles', i, 'path']), ...(ignored.length > 0 ? { ignoreColumns: ignored } : {}) });
  });
  return refs;
}

/** The largest deptId the API's long can carry. */
export const MAX_LONG = 9223372036854775807n;

function toGroupRef(source: YamlSource, doc: Record<string, unknown>, issues: SourceIssue[]): GroupRef | undefined {
  const category = (doc.category ?? 'enterprise') as Category;
  const name = doc.name as string;
  if (doc.kind === 'customer') return { name, category, kind: 'customer' };
  if (category !== 'department') return { name, category };
  const dept = doc.department as Record<string, unknown>;
  const field = DEPARTMENT_FIELDS.find((f) => Object.hasOwn(dept, f))!;
  const at = { file: source.file, ...positionOf(source, ['department', field]) };
  if (field !== 'deptId') {
    const value = trimBlanks(String(dept[field]));
    const problem = value === '' ? `department.${field} is blank: write the department id` : identityTextProblem(`department.${field}`, value);
    if (problem !== undefined) issues.push({ ...at, message: problem });
    return problem !== undefined ? undefined : { name, category, department: { field, value } };
  }
  // deptId is a long: take its digits as written so a value beyond 2^53 stays exact; other
  // spellings YAML reads as integers (0x10, 1e3, +7) would reach the API as something else.
  const written = (sourceTextOf(source, ['department', 'deptId']) ?? '').trim();
  if (!/^[0-9]+$/.test(written)) {
    issues.push({ ...at, message: `department.deptId ${written} must be written in decimal digits, e.g. deptId: 40213` });
    return undefined;
  }
  const digits = written.replace(/^0+(?=[0-9])/, '');
  if (BigInt(digits) > MAX_LONG) {
    issues.push({ ...at, message: `department.deptId ${digits} is larger than the API's long (${MAX_LONG}): check the id, or use thirdDeptId for text ids` });
    return undefined;
  }
  const department: Department = { field, value: digits };
  return { name, category, department };
}

/**
 * Builds a member from either form for the duplicate check, reporting what the schema cannot say
 * (exactly one identity key, the identity rules). A member the schema already faults yields
 * nothing, so a broken value is reported once, not again as a duplicate.
 */
function toMember(source: YamlSource, raw: unknown, path: PathSegment[], issues: SourceIssue[], rules: IdentityTypeRules): Member | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  if (Object.hasOwn(m, 'identities')) {
    if (!Array.isArray(m.identities) || m.identities.length === 0) return undefined;
    const list = m.identities as unknown[];
    // Sized exactly: an array grown by push keeps room for 16 identities for as long as the member lives.
    const identities: Identity[] = new Array<Identity>(list.length);
    let ok = true;
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (!isIdentityShape(id)) return undefined;
      const identity = identityOf(id.type, id.value, id);
      if (!identity) return undefined;
      const at = [...path, 'identities', i];
      if (!checkIdentity(source, identity, issues, rules, (field) => positionOf(source, [...at, field]))) ok = false;
      identities[i] = identity;
    }
    return ok ? { identities } : undefined;
  }
  const candidates = Object.keys(m).filter((k) => !RESERVED_KEYS.has(k));
  // Keys the schema already reported (bad type names, values that are not text, type/value) are not counted again.
  const keys = candidates.filter((k) => IDENTITY_TYPE.test(k) && typeof m[k] === 'string');
  const reported = candidates.length > keys.length || Object.hasOwn(m, 'type') || Object.hasOwn(m, 'value');
  if (keys.length > 1) {
    // A misspelt member field (platfrom, appId...) reads as a second identity type: name the typo.
    const typos = keys.filter((k) => shorthandFieldTypo(k) !== undefined);
    if (typos.length > 0 && keys.length - typos.length === 1) {
      for (const k of typos) issues.push({ file: source.file, ...keyPositionOf(source, path, k), message: `unknown field "${k}" (did you mean "${shorthandFieldTypo(k)}"?)` });
      return undefined;
    }
    const message = `a shorthand member has exactly one identity key, found ${keys.map((k) => `"${k}"`).join(' and ')}: list several identities of one person under identities:`;
    issues.push({ file: source.file, ...keyPositionOf(source, path, keys[1]!), message });
    return undefined;
  }
  if (keys.length === 0 || reported) {
    // An empty mapping ({}) is the schema's minProperties issue, worded the same: report it once.
    if (!reported && Object.keys(m).length > 0)
      issues.push({ file: source.file, ...positionOf(source, path), message: 'a member needs an identity, e.g. phone: "18888888888" (the key is the identity type)' });
    return undefined;
  }
  const type = keys[0]!;
  if (typeof m[type] !== 'string') return undefined;
  const identity = identityOf(type, m[type], m);
  if (!identity) return undefined;
  const at = (field: IdentityField) => (field === 'type' ? keyPositionOf(source, path, type) : positionOf(source, [...path, field === 'value' ? type : field]));
  return checkIdentity(source, identity, issues, rules, at) ? { identities: [identity] } : undefined;
}

/** Reports the identity rules an identity breaks, each at its field; true when it breaks none. */
function checkIdentity(source: YamlSource, identity: Identity, issues: SourceIssue[], rules: IdentityTypeRules, at: (field: IdentityField) => { line: number; column: number }): boolean {
  const problems = identityProblems(identity, rules);
  for (const p of problems) issues.push({ file: source.file, ...at(p.field), message: p.message, ...(p.sensitive ? { sensitive: p.sensitive } : {}) });
  return problems.length === 0;
}

function isIdentityShape(v: unknown): v is { type: string; value: string } & Record<string, unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { value?: unknown }).value === 'string';
}

/** The identity with trimmed values, or undefined when the schema faults it (bad type, empty value). */
function identityOf(type: string, value: string, fields: Record<string, unknown>): Identity | undefined {
  if (!IDENTITY_TYPE.test(type) || value.trim() === '') return undefined;
  return buildIdentity(type, value, fields);
}
