import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { decodeV2Body } from '../api/v2-wire.js';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import type { Category, Department, Member, Op } from '../core/model.js';
import { identitiesJson, jsonString } from '../core/json-text.js';
import type { SourceIssue } from '../errors/index.js';
import { packageRoot } from '../load/package-root.js';
import { jsonErrorSnippet } from './json-snippet.js';

/**
 * The apply journal: an append-only NDJSON file next to the snapshot. Line 1 is a header; every
 * further line is one request the API acknowledged, appended and synced the moment its answer
 * arrived. A last line without its newline was torn by a kill mid-write: it was never synced, so it
 * is not a record (the request is idempotent and the next apply sends it again).
 *
 * A record holds the model, whatever the endpoint: the confirmed items, in runs of items that share
 * their category, department, kind and groups (a batch is sorted by context, so a run is usually
 * the whole request, and each item costs its member's identities alone). Version 3 is written
 * since; versions 1 (items one by one) and 2 (which also recorded an accepted v2 request as the
 * body sent, decoded by api/v2-wire.ts) were written by earlier releases and are still read, so
 * that an apply one of them left interrupted is folded.
 */
export const JOURNAL_VERSION = 3 as const;

export interface JournalHeader {
  readonly journal: 1 | 2 | 3;
  /** Ties the journal to the snapshot it is folded into (`lastApply.applyId`): a journal whose id is already there is stale. */
  readonly applyId: string;
  /** sha256 of the snapshot text the apply started from; null when there was no snapshot. */
  readonly base: string | null;
  readonly commit: string | null;
  readonly endpoint: string;
  readonly toolVersion: string;
  readonly started: string;
}

/** One request item as recorded: the member's identities and the groups of one context. */
export interface JournalItem {
  readonly member: Member;
  readonly category: Category;
  readonly department?: Department;
  /** Set for customer groups. */
  readonly kind?: 'customer';
  readonly groups: readonly string[];
}

/** What is recorded about an answered request besides its items. */
export interface RecordMeta {
  /** Exact decimal: batch IDs exceed 2^53. Absent for the customer endpoint, which answers without one. */
  readonly batchId?: string;
  /** The endpoint, when it is not the journal header's (customer-group requests). */
  readonly endpoint?: string;
  /** partial: some rows were not applied (not in `items`); unknown: nothing confirmed yet (no items). */
  readonly status?: 'partial' | 'unknown';
  /** Rows (items, or groups of an item) the API did not confirm. */
  readonly notApplied?: number;
}

/** One answered request: `items` holds exactly what the API confirmed. */
export interface JournalRecord extends RecordMeta {
  /** The request's position in the plan, so the snapshot lists requests in plan order. */
  readonly index: number;
  readonly op: Op;
  readonly items: readonly JournalItem[];
}

export interface Journal {
  readonly header: JournalHeader;
  readonly records: readonly JournalRecord[];
  /** True when a torn last line was ignored. */
  readonly tornTail: boolean;
}

/** The journal of a snapshot path. */
export function journalPath(statePath: string): string {
  return `${statePath}.journal`;
}

/** The header line. */
export function formatJournalHeader(header: JournalHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/**
 * The line of one answered request: proportional to the batch, so recording stays linear.
 * `batch.items` must be exactly the confirmed items.
 */
export function formatJournalRecord(index: number, batch: PlannedBatch, meta: RecordMeta | string): string {
  return journalRecordPieces(index, batch, meta).join('');
}

/**
 * formatJournalRecord's line in pieces, to be encoded one by one: the members of a run are a piece
 * of their own, so their text (usually ASCII) stays one byte per character even when a group name
 * is Chinese, and encoding it is a copy. An apply writes one of these per request while the next
 * one waits.
 */
export function journalRecordPieces(index: number, batch: PlannedBatch, meta: RecordMeta | string): string[] {
  const m: RecordMeta = typeof meta === 'string' ? { batchId: meta } : meta;
  const pieces: string[] = [];
  // JSON.stringify of { index, op, ...meta, runs } (see JournalRun), written directly.
  let head = `${JSON.stringify({ index, op: batch.op, ...recordMeta(m) }).slice(0, -1)},"runs":[`;
  const items = batch.items;
  // Joined once per run rather than appended to: a joined string is flat, and encodes without being flattened first.
  let members: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const member = `{"identities":${identitiesJson(item.member.identities)}}`;
    if (i > 0 && sameRun(items[i - 1]!, item)) {
      members.push(member);
      continue;
    }
    if (i > 0) {
      pieces.push(head, members.join(','));
      head = ']},';
    }
    head += runHead(item);
    members = [member];
  }
  if (items.length > 0) pieces.push(head, members.join(','), ']}]}\n');
  else pieces.push(`${head}]}\n`);
  return pieces;
}

/** A run's fields up to its members: `{"category",…,"groups":[…],"members":[`. */
function runHead(item: BatchItem): string {
  let out = `{"category":${jsonString(item.category)}`;
  if (item.department) out += `,"department":{"field":${jsonString(item.department.field)},"value":${jsonString(item.department.value)}}`;
  if (item.kind === 'customer') out += ',"kind":"customer"';
  const groups = new Array<string>(item.groups.length);
  for (let g = 0; g < groups.length; g++) groups[g] = jsonString(item.groups[g]!);
  return `${out},"groups":[${groups.join(',')}],"members":[`;
}

/** Whether two items of a batch share a run: category, department, kind and groups. */
function sameRun(a: BatchItem, b: BatchItem): boolean {
  if (a.category !== b.category || a.kind !== b.kind || a.department?.field !== b.department?.field || a.department?.value !== b.department?.value) return false;
  // Items of a one-group list share that list (see planBatches): the names are compared only otherwise.
  if (a.groups === b.groups) return true;
  if (a.groups.length !== b.groups.length) return false;
  for (let g = 0; g < a.groups.length; g++) if (a.groups[g] !== b.groups[g]) return false;
  return true;
}

/** A run of a version 3 record: its members each make one item with these fields. */
interface JournalRun {
  readonly category: Category;
  readonly department?: Department;
  readonly kind?: 'customer';
  readonly groups: readonly string[];
  readonly members: readonly Member[];
}

/** The meta fields in a fixed order, absent ones left out. */
export function recordMeta(m: RecordMeta): RecordMeta {
  return {
    ...(m.batchId !== undefined ? { batchId: m.batchId } : {}),
    ...(m.endpoint !== undefined ? { endpoint: m.endpoint } : {}),
    ...(m.status !== undefined ? { status: m.status } : {}),
    ...(m.notApplied !== undefined ? { notApplied: m.notApplied } : {}),
  };
}

/**
 * Parses journal text. Empty text, or a header torn before its newline, is no journal (undefined):
 * nothing after a header can have been recorded without it. A complete line that is not a valid
 * header or record is corruption, reported with its line, never skipped.
 */
export function parseJournal(file: string, text: string): { ok: true; journal: Journal | undefined } | { ok: false; issues: SourceIssue[] } {
  const lines = text.split('\n');
  // After the last '\n' comes either nothing or a torn, unsynced line.
  const tail = lines.pop() ?? '';
  const tornTail = tail.length > 0;
  if (lines.length === 0) return { ok: true, journal: undefined };
  const valid = validators();
  const issues: SourceIssue[] = [];
  const corrupt = (n: number, what: string, problem: string): void => {
    issues.push({ file, line: n + 1, column: 1, message: `the apply journal is corrupt: line ${n + 1} is not a valid ${what} (${problem}). ${CORRUPT_HINT}` });
  };
  const parseLine = (n: number): unknown => {
    try {
      return JSON.parse(lines[n]!);
    } catch (err) {
      const snippet = jsonErrorSnippet((err as Error).message);
      issues.push({
        file,
        line: n + 1,
        column: 1,
        message: `the apply journal is corrupt: line ${n + 1} is not JSON (${(err as Error).message}). ${CORRUPT_HINT}`,
        ...(snippet ? { sensitive: [snippet] } : {}),
      });
      return undefined;
    }
  };
  const checked = (n: number, value: unknown, validate: ValidateFunction, what: string): boolean => {
    if (validate(value)) return true;
    corrupt(n, what, schemaProblem(validate));
    return false;
  };
  const first = parseLine(0);
  const header = first !== undefined && checked(0, first, valid.header, 'header') ? (first as JournalHeader) : undefined;
  const version = header?.journal ?? JOURNAL_VERSION;
  const records: JournalRecord[] = [];
  for (let n = 1; n < lines.length; n++) {
    let value = parseLine(n);
    if (value === undefined) continue;
    if (version === 2 && isWireRecord(value)) {
      if (!checked(n, value, valid.wireRecord, 'record')) continue;
      const decoded = fromWireRecord(lines[n]!, value);
      if ('problem' in decoded) {
        corrupt(n, 'record', decoded.problem);
        continue;
      }
      value = decoded.record;
    }
    if (version === JOURNAL_VERSION) {
      if (checked(n, value, valid.record, 'record')) records.push(fromRuns(value as RunsRecord));
    } else if (checked(n, value, valid.itemsRecord, 'record')) records.push(value as JournalRecord);
  }
  if (issues.length > 0 || !header) return { ok: false, issues };
  return { ok: true, journal: { header, records, tornTail } };
}

const CORRUPT_HINT =
  'It lists requests the API acknowledged during an interrupted apply; fix the line by hand or remove the journal (the next apply then re-sends what the group files still need, but deletes it recorded are forgotten).';

/** A version 3 record as written: its items in runs. */
type RunsRecord = Omit<JournalRecord, 'items'> & { readonly runs: readonly JournalRun[] };

/** The record with its runs made items (each shares its run's groups list). */
function fromRuns(record: RunsRecord): JournalRecord {
  const { runs, ...rest } = record;
  const items: JournalItem[] = [];
  for (const run of runs) {
    const { members, ...context } = run;
    for (const member of members) items.push({ member, ...context });
  }
  return { ...rest, items };
}

/** Whether a version 2 record line is in the wire form (the v2 body as sent). */
function isWireRecord(value: unknown): value is { index: number; op: Op; batchId: string; v2: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'v2' in value;
}

/**
 * A version 2 wire record as an items-form record: its body is read back by the module that wrote
 * it (api/v2-wire.ts), from the line read losslessly, so that a deptId beyond 2^53 keeps its digits.
 */
function fromWireRecord(line: string, value: { index: number; op: Op; batchId: string }): { record: unknown } | { problem: string } {
  let body: string | undefined;
  try {
    body = stringifyLossless((parseLossless(line) as { v2: unknown }).v2);
  } catch (error) {
    // The exact parser is stricter than JSON.parse (a key written twice, for one).
    return { problem: `the line cannot be read exactly: ${(error as Error).message}` };
  }
  const decoded = decodeV2Body(body ?? '');
  if (!decoded.ok) return { problem: `/v2${decoded.problem}` };
  if (decoded.batch.op !== value.op) return { problem: `/v2/publicParams/optType is "${decoded.batch.op}" but the record's op is "${value.op}"` };
  const items = decoded.batch.items.map((i) => ({ member: i.member, category: i.category, ...(i.department ? { department: i.department } : {}), groups: i.groups }));
  return { record: { index: value.index, op: value.op, batchId: value.batchId, items } };
}

function schemaProblem(validate: ValidateFunction): string {
  const e = validate.errors?.[0];
  return `${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`;
}

type Validators = Record<'header' | 'record' | 'itemsRecord' | 'wireRecord', ValidateFunction>;
let compiled: Validators | undefined;

/**
 * Journal lines are checked with ajv against schemas/journal.schema.json (its header, record and,
 * for older versions, itemsRecord and wireRecord definitions), which takes members and departments
 * from the snapshot's schema.
 */
function validators(): Validators {
  if (compiled) return compiled;
  const schema = (name: string) => JSON.parse(readFileSync(join(packageRoot(), 'schemas', name), 'utf8')) as { $id: string };
  const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
  const journal = schema('journal.schema.json');
  ajv.addSchema(schema('snapshot.schema.json')).addSchema(journal);
  const definition = (name: string): ValidateFunction => ajv.getSchema(`${journal.$id}#/definitions/${name}`)!;
  compiled = { header: definition('header'), record: definition('record'), itemsRecord: definition('itemsRecord'), wireRecord: definition('wireRecord') };
  return compiled;
}
