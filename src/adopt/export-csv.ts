import { CsvError, parse } from 'csv-parse/sync';
import { groupKey, memberKey, memberSignature, type Category, type DepartmentField, type GroupRef, type Identity, type Member } from '../core/model.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import { decodeUtf8 } from '../load/utf8-text.js';
import { readExportHeader, type ExportColumnOptions, type ExportLayout } from './export-columns.js';
import { csvFieldColumn } from '../load/csv-column.js';
import { identityFromCells, isCellProblem, problemColumnIndex } from '../load/csv-identity.js';

/** A member of an exported group, with the row it was first read from. */
export interface ExportMember {
  readonly member: Member;
  readonly line: number;
}

/** A group of the export, with the row it first appears on and its members by key. */
export interface ExportGroup {
  readonly group: GroupRef;
  readonly line: number;
  readonly members: Map<string, ExportMember>;
}

/** What an export holds: its groups in the order they first appear, and the identity types in column order. */
export interface ExportContents {
  readonly groups: readonly ExportGroup[];
  /** The identity types of the header, in column order (a member's identities keep this order). */
  readonly identityTypes: readonly string[];
  /** Membership rows read (a repeated row counts once in the groups). */
  readonly rows: number;
}

export type ExportResult = { ok: true; value: ExportContents } | { ok: false; issues: SourceIssue[] };

/** Problems listed per export before the rest are only counted (a broken export can have a million). */
export const MAX_EXPORT_ISSUES = 50;

/** The largest deptId the API's long can carry. */
const MAX_LONG = 9223372036854775807n;

/** A group name as group files allow it (schemas/group.schema.json): no comma, no control character, no outer space. */
const GROUP_NAME = /^[^,\s\p{Cc}](?:[^,\p{Cc}]*[^,\s\p{Cc}])?$/u;

interface ExportRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/**
 * Reads an export of the platform's memberships: a CSV with a header row and one membership per
 * row — the group (`group`, optional `category`, `kind` and department columns) and the member's
 * identities (columns named by identity type, with optional qualifier columns, as member lists
 * have). A row's first non-empty identity column is the member's key; a person in several groups
 * is on several rows. Every problem is reported at its line and column; nothing is partly read.
 */
export function readExport(file: string, bytes: Uint8Array, options: ExportColumnOptions = {}): ExportResult {
  const decoded = decodeUtf8(
    file,
    bytes,
    'the export is not valid UTF-8 (a spreadsheet export in GBK or another legacy encoding?): export it as "CSV UTF-8", or convert it, e.g. iconv -f GBK -t UTF-8',
  );
  if (!decoded.ok) return { ok: false, issues: [decoded.issue] };
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  const records: ExportRecord[] = [];
  try {
    parse(text, {
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], context: { lines: number }) => {
        let breaks = 0;
        for (const f of record) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) breaks++;
        records.push({ fields: record, line: context.lines - breaks });
        return undefined;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? err.lines : 1;
    const why = err.message.replace(/ at line \d+/g, '').replace(/\.$/, '');
    const quoted = /value is "((?:[^"\\]|\\.)*)"/.exec(why)?.[1];
    const message = `CSV: ${why}: quote a value holding a comma, quote or line break ("a,b"), and double a quote inside it ("say ""hi""")`;
    return { ok: false, issues: [{ file, line, column: 1, message, ...(quoted ? { sensitive: [quoted] } : {}) }] };
  }
  const header = records[0];
  if (!header) return { ok: false, issues: [{ file, line: 1, column: 1, message: 'the export is empty: the first row names the columns, e.g. group,phone,unionid' }] };
  const columnAt = (rec: ExportRecord) => (j: number) => csvFieldColumn(lines[rec.line - 1], j);
  const layout = readExportHeader(file, header.line, header.fields, columnAt(header), options);
  if (!('identities' in layout)) return { ok: false, issues: sortIssues(layout) };
  return readRows(file, records, header.fields.length, layout, columnAt);
}

function readRows(file: string, records: readonly ExportRecord[], width: number, layout: ExportLayout, columnAt: (rec: ExportRecord) => (j: number) => number): ExportResult {
  const issues: SourceIssue[] = [];
  let extra = 0;
  const report = (issue: SourceIssue): void => {
    if (issues.length < MAX_EXPORT_ISSUES) issues.push(issue);
    else extra++;
  };
  const groups = new Map<string, ExportGroup>();
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    const at = (j: number) => ({ file, line: rec.line, column: columnAt(rec)(j) });
    if (rec.fields.length !== width) {
      report({ file, line: rec.line, column: 1, message: `this row has ${rec.fields.length} fields, the header has ${width}: quote values that contain a comma ("a,b")` });
      continue;
    }
    const group = rowGroup(rec, layout, at, report);
    const identities = rowIdentities(rec, layout, at, report);
    if (!group || !identities) continue;
    const gk = groupKey(group);
    let entry = groups.get(gk);
    if (!entry) groups.set(gk, (entry = { group, line: rec.line, members: new Map() }));
    const member: Member = { identities };
    const mk = memberKey(member);
    const first = entry.members.get(mk);
    if (!first) entry.members.set(mk, { member, line: rec.line });
    else if (memberSignature(first.member) !== memberSignature(member)) {
      // The same row twice is one membership; the same person with other identities is a contradiction.
      const key = identities[0]!;
      const keyColumn = layout.identities.find((c) => c.type === key.type)!.index;
      report({
        ...at(keyColumn),
        message: `${key.type} "${key.value}" is in group "${group.name}" already on line ${first.line}, with other identities: an export lists each person's identities the same way on every row; keep one`,
        sensitive: [key.value],
      });
    }
  }
  if (extra > 0) {
    const last = issues[issues.length - 1]!;
    issues.push({ file, line: last.line, column: last.column, message: `… and ${extra} more problem${extra === 1 ? '' : 's'} in this file` });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (groups.size === 0) return { ok: false, issues: [{ file, line: 1, column: 1, message: 'the export has a header but no rows: nothing to adopt' }] };
  return { ok: true, value: { groups: [...groups.values()], identityTypes: layout.identities.map((c) => c.type), rows: records.length - 1 } };
}

type At = (j: number) => { file: string; line: number; column: number };

/** The group of a row: name, category, kind and department, checked as group files check them. */
function rowGroup(rec: ExportRecord, layout: ExportLayout, at: At, report: (i: SourceIssue) => void): GroupRef | undefined {
  const cell = (j: number | undefined): string => (j === undefined ? '' : rec.fields[j]!.trim());
  const name = cell(layout.group);
  const kind = cell(layout.kind);
  const category = cell(layout.category);
  const departments = layout.departments.filter((d) => cell(d.index) !== '');
  let ok = true;
  const problem = (j: number, message: string): void => {
    report({ ...at(j), message });
    ok = false;
  };
  if (name === '') problem(layout.group, 'the group cell is empty: every row names the group the member is in');
  else if ([...name].length > 64 || !GROUP_NAME.test(name)) problem(layout.group, `group "${name}" is not a valid group name: 1-64 characters, no comma and no control character`);
  if (kind !== '' && kind !== 'user' && kind !== 'customer') problem(layout.kind!, `kind is "${kind}": write customer for a customer (客户) group, or leave it empty (or user) for a user group`);
  if (category !== '' && category !== 'enterprise' && category !== 'department') problem(layout.category!, `category is "${category}": write enterprise or department (empty: enterprise)`);
  if (!ok) return undefined;
  if (kind === 'customer') {
    if (category !== '') problem(layout.category!, 'a customer group (kind customer) has no category: leave the category cell empty');
    for (const d of departments) problem(d.index, `a customer group (kind customer) has no department: leave ${d.field} empty`);
    return ok ? { name, category: 'enterprise', kind: 'customer' } : undefined;
  }
  const cat: Category = category === 'department' ? 'department' : 'enterprise';
  if (cat === 'enterprise') {
    for (const d of departments) problem(d.index, `${d.field} is set but the category is ${category === '' ? 'empty (enterprise)' : 'enterprise'}: a department id belongs to category department`);
    return ok ? { name, category: cat } : undefined;
  }
  if (departments.length !== 1) {
    const where = departments[1]?.index ?? layout.category!;
    problem(
      where,
      `category department needs exactly one of wxDeptId, thirdDeptId, deptId on the row (${departments.length === 0 ? 'none is' : `${departments.map((d) => d.field).join(' and ')} are`} set)`,
    );
    return undefined;
  }
  const { field, index } = departments[0]! as { field: DepartmentField; index: number };
  let value = cell(index);
  if (field === 'deptId') {
    if (!/^[0-9]+$/.test(value)) {
      problem(index, `deptId "${value}" must be decimal digits: use thirdDeptId or wxDeptId for a text id`);
      return undefined;
    }
    value = value.replace(/^0+(?=[0-9])/, '');
    if (BigInt(value) > MAX_LONG) {
      problem(index, `deptId ${value} is larger than the API's long (${MAX_LONG}): check the id, or use thirdDeptId for text ids`);
      return undefined;
    }
  }
  return { name, category: cat, department: { field, value } };
}

/** The identities of a row in column order (the first is the key); undefined, with the problems reported, when invalid. */
function rowIdentities(rec: ExportRecord, layout: ExportLayout, at: At, report: (i: SourceIssue) => void): Identity[] | undefined {
  const out: Identity[] = [];
  let ok = true;
  const cell = (j: number | undefined): string => (j === undefined ? '' : rec.fields[j]!.trim());
  for (const col of layout.identities) {
    const value = cell(col.index);
    const platform = cell(col.qualifiers.platform);
    const appid = cell(col.qualifiers.appid);
    const eco = cell(col.qualifiers.isWeChatEcosystem);
    if (/\p{Cc}/u.test(value)) {
      report({ ...at(col.index), message: `the ${col.type} value holds a control character (a line break, tab, …): fix the export`, sensitive: [value] });
      ok = false;
      continue;
    }
    const id = identityFromCells(col.type, value, platform, appid, eco);
    if (id === undefined) continue;
    if (isCellProblem(id)) {
      report({ ...at(problemColumnIndex(id, col)), message: id.message });
      ok = false;
      continue;
    }
    out.push(id);
  }
  if (ok && out.length === 0) {
    report({
      ...at(layout.identities[0]!.index),
      message: `the row has no identity: fill in at least one of ${layout.identities.map((c) => c.type).join(', ')} (the first one filled in is the member's key)`,
    });
    return undefined;
  }
  return ok ? out : undefined;
}
