import type { DepartmentField } from '../core/model.js';
import type { SourceIssue } from '../errors/index.js';
import { closest } from '../load/schema-issues.js';
import { BUILTIN_TYPE_NAMES } from '../load/identity-types.js';

/**
 * The identity types an export's columns are read as without being declared: those the vendor
 * documents (rabbitpre-api.md: v2's examples, v1's flat fields, the customer endpoint's fields).
 * A tenant's custom types are declared with `--identity-type`; any other column is an error unless
 * ignored, so that a `name` or `email` column never becomes an identity sent to the platform.
 * The same list as group files and member lists (load/identity-types.ts); the config's custom types
 * count as declared.
 */
export const BUILT_IN_IDENTITY_TYPES: readonly string[] = BUILTIN_TYPE_NAMES;

/** The qualifier columns of an identity: bare for the first identity column, `TYPE.q` for that column. */
export const QUALIFIERS = ['platform', 'appid', 'isWeChatEcosystem'] as const;
export type Qualifier = (typeof QUALIFIERS)[number];

/** The export's columns that say which group a row is a membership of. */
export const GROUP_COLUMNS = ['group', 'category', 'kind'] as const;
export const DEPARTMENT_COLUMNS: readonly DepartmentField[] = ['wxDeptId', 'thirdDeptId', 'deptId'];

/** What a header row says: where each group field and each identity (with its qualifiers) is. */
export interface ExportLayout {
  readonly group: number;
  readonly category?: number;
  readonly kind?: number;
  readonly departments: readonly { readonly field: DepartmentField; readonly index: number }[];
  /** Identity columns in header order: a row's first non-empty one is the member's key. */
  readonly identities: readonly { readonly type: string; readonly index: number; readonly qualifiers: Partial<Record<Qualifier, number>> }[];
}

/** How to read an export's header. */
export interface ExportColumnOptions {
  /** Custom identity types of the tenant (`--identity-type`), besides the built-in ones. */
  readonly identityTypes?: readonly string[];
  /** Columns to leave out (`--ignore-column`): never read, sent or recorded. */
  readonly ignoreColumns?: readonly string[];
}

/** The identity type pattern of group files: a letter, then letters, digits or _. */
const IDENTITY_TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Reads the header row: `group` (required), `category`, `kind`, the department columns, identity
 * columns (built-in or declared types) and their qualifiers. Every other column is an issue at its
 * position that says how to ignore or declare it. `columnAt(j)` is the 1-based column of field j.
 */
export function readExportHeader(file: string, line: number, fields: readonly string[], columnAt: (j: number) => number, options: ExportColumnOptions): ExportLayout | SourceIssue[] {
  const issues: SourceIssue[] = [];
  const at = (j: number) => ({ file, line, column: columnAt(j) });
  const types = new Set<string>([...BUILT_IN_IDENTITY_TYPES, ...(options.identityTypes ?? [])]);
  const ignored = new Set(options.ignoreColumns ?? []);
  const known = [...GROUP_COLUMNS, ...DEPARTMENT_COLUMNS, ...types, ...QUALIFIERS];
  const seen = new Map<string, number>();
  const named: Partial<Record<(typeof GROUP_COLUMNS)[number], number>> = {};
  const departments: { field: DepartmentField; index: number }[] = [];
  const identities: { type: string; index: number; qualifiers: Partial<Record<Qualifier, number>> }[] = [];
  const qualified: { type: string | undefined; q: Qualifier; index: number }[] = [];
  fields.forEach((raw, j) => {
    const name = raw.trim();
    const before = seen.get(name);
    if (name === '') issues.push({ ...at(j), message: `column ${j + 1} has no name: name every column (group, an identity type such as phone, …), or remove it` });
    else if (before !== undefined) issues.push({ ...at(j), message: `column "${name}" appears twice in the header (first as column ${before + 1}): keep one` });
    if (name === '' || before !== undefined) return;
    seen.set(name, j);
    if (ignored.has(name)) return;
    if ((GROUP_COLUMNS as readonly string[]).includes(name)) named[name as (typeof GROUP_COLUMNS)[number]] = j;
    else if ((DEPARTMENT_COLUMNS as readonly string[]).includes(name)) departments.push({ field: name as DepartmentField, index: j });
    else if (types.has(name)) identities.push({ type: name, index: j, qualifiers: {} });
    else {
      const dot = name.indexOf('.');
      const [type, q] = dot === -1 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
      if ((QUALIFIERS as readonly string[]).includes(q) && (type === undefined || types.has(type))) qualified.push({ type, q: q as Qualifier, index: j });
      else issues.push({ ...at(j), message: unknownColumn(name, known) });
    }
  });
  if (named.group === undefined && issues.length === 0) {
    issues.push({ file, line, column: 1, message: 'the header has no "group" column: an export lists one membership per row, the group name in a column named group' });
  }
  if (identities.length === 0 && issues.length === 0) {
    issues.push({ file, line, column: 1, message: `the header names no identity column: name them by identity type (${BUILT_IN_IDENTITY_TYPES.join(', ')}, or a type declared with --identity-type)` });
  }
  for (const { type, q, index } of qualified) {
    const target = type === undefined ? identities[0] : identities.find((c) => c.type === type);
    if (!target) continue;
    if (target.qualifiers[q] !== undefined) {
      issues.push({ ...at(index), message: `column "${fields[index]!.trim()}" sets ${q} of "${target.type}" again (column ${target.qualifiers[q] + 1} already does): keep one` });
      continue;
    }
    target.qualifiers[q] = index;
  }
  if (issues.length > 0) return issues;
  return { group: named.group!, ...(named.category !== undefined ? { category: named.category } : {}), ...(named.kind !== undefined ? { kind: named.kind } : {}), departments, identities };
}

/** Why a column is refused, and the two ways on: ignore it, or declare it as the tenant's identity type. */
function unknownColumn(name: string, known: readonly string[]): string {
  const hint = closest(name, known);
  const declare = IDENTITY_TYPE.test(name) ? `, or, if it holds an identity type of your tenant, declare it with --identity-type ${name}` : '';
  return `column "${name}" is not a group, department or identity column${hint ? ` (did you mean "${hint}"?)` : ''}: leave it out with --ignore-column ${quoteArg(name)}${declare} (docs/adopting.md lists the columns)`;
}

/** A column name as a shell argument. */
function quoteArg(name: string): string {
  return /^[\w.-]+$/.test(name) ? name : `'${name.replaceAll("'", "'\\''")}'`;
}
