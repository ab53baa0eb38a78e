import { CsvError, parse } from 'csv-parse/sync';
import { memberKey, type Identity, type Member } from '../core/model.js';
import { MemberIndex } from '../core/sorted-members.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import type { IgnoredColumn, LoadedMember } from './group-file.js';
import { identityProblems, isSendableIdentity, type IdentityField } from './identity-check.js';
import { trimBlanks } from './identity-text.js';
import { identityTypeRules, type IdentityTypeRules, type IdentityTypeSettings } from './identity-types.js';
import { rememberMemberMap } from './member-maps.js';
import { closest } from './schema-issues.js';
import { splitPlainCsv, type CsvRecord, type CsvRecords } from './fast/csv-plain.js';
import { decodeUtf8 } from './utf8-text.js';
import { csvFieldColumn } from './csv-column.js';
import { identityFromCells, isCellProblem, problemColumnIndex } from './csv-identity.js';

/** Columns that qualify an identity column rather than naming an identity type. */
const QUALIFIERS = ['platform', 'appid', 'isWeChatEcosystem'] as const;
type Qualifier = (typeof QUALIFIERS)[number];

/** Problems reported per CSV file before the rest are only counted (a broken export can have a million). */
export const MAX_CSV_ISSUES = 50;

/** What the header says: identity columns in order (the first is the member's key) and their qualifier columns. */
interface CsvLayout {
  readonly identities: readonly { type: string; index: number; qualifiers: Partial<Record<Qualifier, number>> }[];
}

/** How a member list is read: the identity types, and what its `memberFiles:` entry says. */
export interface CsvReadOptions {
  /** The identity types and value patterns (default: the built-in types and the phone pattern). */
  readonly identityTypes?: IdentityTypeSettings;
  /** Columns left out: never read, sent or recorded (`ignoreColumns:` of the entry). */
  readonly ignoreColumns?: readonly IgnoredColumn[];
  /** The group file's entry naming the list, for messages that say how to leave a column out. */
  readonly entry?: { readonly file: string; readonly line: number; readonly column: number; readonly path?: string };
}

/** A list with problems still gives the members of its valid rows, for the checks across lists. */
export type CsvMembersResult = { ok: true; members: LoadedMember[] } | { ok: false; issues: SourceIssue[]; members?: LoadedMember[] };

/**
 * Reads a CSV member list: a header row naming identity types (the first identity column is the
 * member's key) plus optional `platform`, `appid`, `isWeChatEcosystem` columns (bare: for the key
 * identity; `TYPE.platform` etc.: for that identity column), then one member per row. Values are
 * text, trimmed; an empty cell is an absent identity or field. Any other column (a CRM export's
 * name or email) is a problem unless the entry lists it under `ignoreColumns`, and an ignored
 * column is never read. Every problem has file, line, column.
 */
export function readCsvMembers(file: string, bytes: Uint8Array, options: CsvReadOptions = {}): CsvMembersResult {
  const rules = identityTypeRules(options.identityTypes);
  const decoded = decodeUtf8(file, bytes, 'the file is not valid UTF-8 (a spreadsheet export in GBK or another legacy encoding?): export it as "CSV UTF-8", or convert it, e.g. iconv -f GBK -t UTF-8');
  if (!decoded.ok) return { ok: false, issues: [decoded.issue] };
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { records, issues } = splitRecords(file, text);
  const header = records.length > 0 ? records.at(0) : undefined;
  if (!header) return { ok: false, issues: issues.length > 0 ? issues : [{ file, line: 1, column: 1, message: 'the member list is empty: the first row names the columns, e.g. phone,unionid' }] };
  const layout = readHeader(file, header, rules, options);
  if (!('identities' in layout)) return { ok: false, issues: sortIssues([...layout, ...issues]) };
  const rows = readRows(file, records, header.fields.length, layout, rules);
  if (issues.length === 0) return rows;
  // The rows csv-parse could read are checked too: one run shows every problem it can find.
  return { ok: false, issues: sortIssues([...issues, ...(rows.ok ? [] : rows.issues)]), members: rows.members ?? [] };
}

/**
 * Splits the text into records: text without quotes by the fast splitter (exactly what csv-parse
 * does with it, only faster), anything quoted through csv-parse, and what it cannot read is
 * reported (`issues`) next to the records it could.
 */
function splitRecords(file: string, text: string): { records: CsvRecords; issues: SourceIssue[] } {
  const plain = splitPlainCsv(text);
  return plain ? { records: plain, issues: [] } : parseQuoted(file, text);
}

const QUOTING_HINT = 'quote a value holding a comma, quote or line break ("a,b"), and double a quote inside it ("say ""hi""")';

/**
 * Parses text with quotes through csv-parse. When it stops at a broken row, the problem is reported
 * and parsing resumes on the next line, so the rows after it are checked in the same run; an
 * unclosed quote takes the rest of the file into one value, so that rest is reported as unchecked.
 */
function parseQuoted(file: string, text: string): { records: CsvRecords; issues: SourceIssue[] } {
  const lines = text.split(/\r\n|\r|\n/);
  const lastLine = lines.at(-1) === '' ? lines.length - 1 : lines.length;
  const records: CsvRecord[] = [];
  const issues: SourceIssue[] = [];
  let from = 1;
  let lastEnd = 0;
  for (;;) {
    const offset = from;
    // Records are collected as they come, so that those before a broken row survive csv-parse's throw.
    const onRecord = (record: string[], context: { lines: number }): undefined => {
      let breaks = 0;
      for (const f of record) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) breaks++;
      lastEnd = context.lines + offset - 1;
      const line = lastEnd - breaks;
      records.push({ fields: record, line, text: lines[line - 1] });
      return undefined;
    };
    try {
      parse(from === 1 ? text : text.slice(offsetOfLine(text, from)), { skip_empty_lines: true, relax_column_count: true, on_record: onRecord });
      break;
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      const line = (typeof err.lines === 'number' ? err.lines : 1) + from - 1;
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        issues.push(unclosedQuote(file, text, Math.max(lastEnd, from - 1) + 1, lastLine));
        break;
      }
      const unchecked =
        records.length === 0
          ? 'the rows below were not checked: fix the header row first'
          : line < lastLine && issues.length + 1 >= MAX_CSV_ISSUES
            ? `the rows after line ${line} were not checked`
            : undefined;
      issues.push(parseIssue(file, err, line, unchecked));
      if (unchecked !== undefined || line >= lastLine) break;
      from = line + 1;
      lastEnd = line;
    }
  }
  return { records: { length: records.length, at: (r) => records[r]! }, issues };
}

/** A row csv-parse cannot read, in its words (without its "at line N") plus what to do. */
function parseIssue(file: string, err: CsvError, line: number, unchecked: string | undefined): SourceIssue {
  const why = err.message.replace(/ at line \d+/g, '').replace(/\.$/, '');
  // csv-parse quotes the field it stopped in (`value is "18888888888"`): a cell, maybe an identity value.
  const quoted = /value is "((?:[^"\\]|\\.)*)"/.exec(why)?.[1];
  const message = `CSV: ${why}: ${QUOTING_HINT}${unchecked ? `; ${unchecked}` : ''}`;
  return { file, line, column: 1, message, ...(quoted ? { sensitive: [quoted] } : {}) };
}

/** The quote that is never closed, found from the line its record starts on, and what was left unchecked. */
function unclosedQuote(file: string, text: string, recordLine: number, lastLine: number): SourceIssue {
  const start = offsetOfLine(text, recordLine);
  const open = openQuoteAfter(text, start);
  let line = recordLine;
  let lineStart = start;
  for (let i = start; i < open; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  const rest = line < lastLine ? `; the rest of the file (line${line + 1 < lastLine ? `s ${line + 1}–${lastLine}` : ` ${lastLine}`}) reads as part of that value and was not checked` : '';
  const message = `CSV: the quote that starts here is never closed${rest}: close it, e.g. "a,b", and double a quote inside a value ("say ""hi""")`;
  return { file, line, column: open - lineStart + 1, message };
}

/** Where the quote still open at the end of the text starts, reading one record from `start` as csv-parse does. */
function openQuoteAfter(text: string, start: number): number {
  let open = start;
  let quoted = false;
  let fieldStart = true;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') continue;
      if (text[i + 1] === '"') i++;
      else quoted = false;
      fieldStart = false;
    } else if (c === '"' && fieldStart) {
      quoted = true;
      open = i;
    } else fieldStart = c === ',' || c === '\n' || c === '\r';
  }
  return open;
}

/** The offset where a 1-based line starts (lines end at `\r\n`, `\r` or `\n`). */
function offsetOfLine(text: string, line: number): number {
  const breaks = /\r\n|\r|\n/g;
  let offset = 0;
  for (let n = 1; n < line; n++) {
    const m = breaks.exec(text);
    if (!m) return text.length;
    offset = m.index + m[0].length;
  }
  return offset;
}

function readHeader(file: string, header: CsvRecord, rules: IdentityTypeRules, options: CsvReadOptions): CsvLayout | SourceIssue[] {
  const issues: SourceIssue[] = [];
  const at = (j: number) => ({ file, line: header.line, column: columnOf(header, j) });
  const ignored = new Map((options.ignoreColumns ?? []).map((c) => [c.name, c]));
  const seen = new Map<string, number>();
  const identities: { type: string; index: number; qualifiers: Partial<Record<Qualifier, number>> }[] = [];
  const qualified: { type: string | undefined; q: Qualifier; index: number }[] = [];
  const unknown: { name: string; index: number; dotted: boolean }[] = [];
  header.fields.forEach((raw, j) => {
    const name = trimBlanks(raw);
    const before = seen.get(name);
    if (name === '') issues.push({ ...at(j), message: `column ${j + 1} has no name: name every column (an identity type such as phone, or platform, appid, isWeChatEcosystem)` });
    else if (before !== undefined) issues.push({ ...at(j), message: `column "${name}" appears twice in the header (first as column ${before + 1}): keep one` });
    if (name === '' || before !== undefined) return;
    seen.set(name, j);
    // Left out as the group file asks: its cells are never read, so they cannot be sent or recorded.
    if (ignored.has(name)) return;
    const dot = name.indexOf('.');
    const [type, q] = dot === -1 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
    if ((QUALIFIERS as readonly string[]).includes(q)) {
      qualified.push({ type, q: q as Qualifier, index: j });
      return;
    }
    if (dot === -1 && rules.isKnown(name)) {
      identities.push({ type: name, index: j, qualifiers: {} });
      return;
    }
    unknown.push({ name, index: j, dotted: dot !== -1 });
  });
  const howToIgnore = ignoreHint(options, [...(options.ignoreColumns ?? []).map((c) => c.name).filter((n) => seen.has(n)), ...unknown.map((u) => u.name)]);
  for (const { name, index, dotted } of unknown) {
    const dot = name.indexOf('.');
    const q = name.slice(dot + 1);
    let message: string;
    if (dotted) {
      const hint = closest(q, QUALIFIERS);
      message = `column "${name}": after "${name.slice(0, dot)}." comes platform, appid or isWeChatEcosystem${hint ? ` (did you mean "${name.slice(0, dot)}.${hint}"?)` : ''}`;
    } else {
      const hint = rules.suggest(name) ?? closest(name, QUALIFIERS);
      message = `column "${name}" is not a known identity type or member field${hint ? ` (did you mean "${hint}"?)` : ''}: only identity columns and platform, appid, isWeChatEcosystem are read, and nothing else is sent`;
    }
    issues.push({ ...at(index), message: `${message}; ${howToIgnore}` });
  }
  for (const [name, c] of ignored) {
    if (seen.has(name) || options.entry === undefined) continue;
    const hint = closest(name, [...seen.keys()]);
    issues.push({
      file: options.entry.file,
      line: c.line,
      column: c.column,
      message: `ignoreColumns names "${name}", which is not a column of ${file}${hint ? ` (did you mean "${hint}"?)` : ''}: remove it, or fix the name`,
    });
  }
  if (identities.length === 0 && issues.length === 0) {
    issues.push({
      file,
      line: header.line,
      column: 1,
      message: "the header names no identity column: the first row names the columns, e.g. phone,unionid (the first identity column is the member's key)",
    });
  }
  for (const { type, q, index } of qualified) {
    const target = type === undefined ? identities[0] : identities.find((c) => c.type === type);
    if (!target) {
      if (type !== undefined) issues.push({ ...at(index), message: `column "${type}.${q}" qualifies "${type}", but there is no "${type}" column` });
      continue;
    }
    if (target.qualifiers[q] !== undefined) {
      issues.push({ ...at(index), message: `column "${trimBlanks(header.fields[index]!)}" sets ${q} of "${target.type}" again (column ${target.qualifiers[q] + 1} already does): keep one` });
      continue;
    }
    target.qualifiers[q] = index;
  }
  return issues.length > 0 ? issues : { identities };
}

/** How to leave the columns `names` out, as the group file would say it (or as the config says custom types). */
function ignoreHint(options: CsvReadOptions, names: readonly string[]): string {
  const list = names.map((n) => (/^[A-Za-z0-9_.\u0080-\uffff-]+$/.test(n) ? n : JSON.stringify(n))).join(', ');
  const path = options.entry?.path ?? 'list.csv';
  return `to leave a column out (it is then never read or sent), list it in the group file's entry: memberFiles: [{ path: ${path}, ignoreColumns: [${list}] }]; an identity type of the tenant's own is declared under identityTypes.custom in the config`;
}

function readRows(file: string, records: CsvRecords, width: number, layout: CsvLayout, rules: IdentityTypeRules): CsvMembersResult {
  let issues: SourceIssue[] = [];
  let extra = 0;
  const report = (issue: SourceIssue) => {
    if (issues.length < MAX_CSV_ISSUES) issues.push(issue);
    else extra++;
  };
  const members: LoadedMember[] = [];
  // The duplicate check leaves the group's member map (see member-maps.ts): the list itself when its
  // keys ascend, else the list sorted once; no hash table of a million members either way.
  const index = new MemberIndex(members);
  const keyColumn = layout.identities[0]!.index;
  for (let r = 1; r < records.length; r++) {
    const rec = records.at(r);
    if (rec.fields.length !== width) {
      report({ file, line: rec.line, column: 1, message: `this row has ${rec.fields.length} fields, the header has ${width}: quote values that contain a comma ("a,b")` });
      continue;
    }
    const identities = rowIdentities(file, rec, layout, rules, report);
    if (!identities) continue;
    const member = { identities };
    const key = memberKey(member);
    if (!index.add(key)) {
      // Keys ascend so far: the key repeated is the one just before.
      report(duplicateIssue(file, rec.line, columnOf(rec, keyColumn), member, members[members.length - 1]!.line));
      continue;
    }
    members.push({ key, member, line: rec.line, file });
  }
  const { members: byKey, repeated } = index.finish();
  if (repeated.length > 0) {
    // Found once the whole list is read: merged by line with the problems found on the way.
    const shown = repeated.slice(0, MAX_CSV_ISSUES).map(({ index: i, first }) => {
      const line = members[i]!.line;
      return duplicateIssue(file, line, columnOf(recordOnLine(records, line), keyColumn), members[i]!.member, members[first]!.line);
    });
    const merged = sortIssues([...issues, ...shown]);
    extra += repeated.length - shown.length + Math.max(0, merged.length - MAX_CSV_ISSUES);
    issues = merged.slice(0, MAX_CSV_ISSUES);
  }
  if (extra > 0) {
    const last = issues[issues.length - 1]!;
    issues.push({ file, line: last.line, column: last.column, message: `… and ${extra} more problem${extra === 1 ? '' : 's'} in this file` });
  }
  if (issues.length > 0) {
    if (repeated.length === 0) return { ok: false, issues, members };
    const again = new Uint8Array(members.length);
    for (const r of repeated) again[r.index] = 1;
    return { ok: false, issues, members: members.filter((_, i) => again[i] === 0) };
  }
  rememberMemberMap(members, byKey);
  return { ok: true, members };
}

function duplicateIssue(file: string, line: number, column: number, member: Member, firstLine: number): SourceIssue {
  const id = member.identities[0]!;
  return {
    file,
    line,
    column,
    message: `duplicate member: ${id.type} "${id.value}" is already listed on line ${firstLine} of this file (a member's key is its first identity): keep one of them`,
    sensitive: [id.value],
  };
}

/** The record starting on `line` (records come in line order), for the column of a problem found after reading. */
function recordOnLine(records: CsvRecords, line: number): CsvRecord {
  let lo = 0;
  let hi = records.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (records.at(mid).line <= line) lo = mid;
    else hi = mid - 1;
  }
  return records.at(lo);
}

/** The identities of one row, key first; undefined (with the problems reported) when the row is invalid. */
function rowIdentities(file: string, rec: CsvRecord, layout: CsvLayout, rules: IdentityTypeRules, report: (i: SourceIssue) => void): Identity[] | undefined {
  // A loop without per-row closures, collected in a scratch list and copied to one of the exact
  // length: this runs for every row of a million-member list, and a pushed-to array keeps room for
  // 16 elements for as long as the member lives.
  const out = scratchIdentities;
  let count = 0;
  let ok = true;
  const columns = layout.identities;
  for (let n = 0; n < columns.length; n++) {
    const col = columns[n]!;
    const value = trimBlanks(rec.fields[col.index]!);
    const platform = qualifierOf(rec, col.qualifiers.platform);
    const appid = qualifierOf(rec, col.qualifiers.appid);
    const eco = qualifierOf(rec, col.qualifiers.isWeChatEcosystem);
    if (value === '' && n === 0) {
      report({
        file,
        line: rec.line,
        column: columnOf(rec, col.index),
        message: `the ${col.type} cell is empty: it is this row's key identity (the first identity column); fill it in or drop the row`,
      });
      ok = false;
      continue;
    }
    const id = identityFromCells(col.type, value, platform, appid, eco);
    if (id === undefined) continue;
    if (isCellProblem(id)) {
      report({ file, line: rec.line, column: columnOf(rec, problemColumnIndex(id, col)), message: id.message });
      ok = false;
      continue;
    }
    if (!isSendableIdentity(id, rules)) {
      const columnOfField = (field: IdentityField): number => columnOf(rec, field === 'platform' ? col.qualifiers.platform! : field === 'appid' ? col.qualifiers.appid! : col.index);
      for (const p of identityProblems(id, rules)) report({ file, line: rec.line, column: columnOfField(p.field), message: p.message, ...(p.sensitive ? { sensitive: p.sensitive } : {}) });
      ok = false;
      continue;
    }
    out[count++] = id;
  }
  if (!ok || count === 0) return undefined;
  return count === 1 ? [out[0]!] : out.slice(0, count);
}

const scratchIdentities: Identity[] = [];

/** The trimmed text of a qualifier column, or '' when the layout has none. */
function qualifierOf(rec: CsvRecord, index: number | undefined): string {
  return index === undefined ? '' : trimBlanks(rec.fields[index]!);
}

/** The 1-based column where field `j` of a record starts, counting quotes on its first line. */
function columnOf(rec: CsvRecord, j: number): number {
  return csvFieldColumn(rec.text, j);
}
