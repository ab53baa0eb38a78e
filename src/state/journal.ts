import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import type { Category, Department, Member, Op } from '../core/model.js';
import { identitiesJson, jsonString } from '../core/json-text.js';
import type { SourceIssue } from '../errors/index.js';
import { packageRoot } from '../load/package-root.js';
import { jsonErrorSnippet } from './json-snippet.js';
import { isWireRecord, toItemsForm } from './journal-wire.js';

/**
 * The apply journal: an append-only NDJSON file next to the snapshot. Line 1 is a header; every
 * further line is one request the API acknowledged, appended and synced the moment its answer
 * arrived. A last line without its newline was torn by a kill mid-write: it was never synced, so it
 * is not a record (the request is idempotent and the next apply sends it again).
 * Version 2 (written since) may also hold records in the wire form (journal-wire.ts); version 1
 * journals, left by an older groupops, are read as before.
 */
export interface JournalHeader {
  readonly journal: 1 | 2;
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
  const m: RecordMeta = typeof meta === 'string' ? { batchId: meta } : meta;
  // JSON.stringify of { index, op, ...meta, items } with each item as JournalItem (canonical
  // identities), written directly: an apply formats one of these per request while the next wait.
  const head = JSON.stringify({ index, op: batch.op, ...recordMeta(m) }).slice(0, -1);
  const items = new Array<string>(batch.items.length);
  for (let i = 0; i < items.length; i++) items[i] = journalItemJson(batch.items[i]!);
  return `${head},"items":[${items.join(',')}]}\n`;
}

/** An item as JournalItem JSON: `{ member: { identities }, category, department?, kind?, groups }`, canonical identities. */
function journalItemJson(item: BatchItem): string {
  let out = `{"member":{"identities":${identitiesJson(item.member.identities)}},"category":${jsonString(item.category)}`;
  if (item.department) out += `,"department":{"field":${jsonString(item.department.field)},"value":${jsonString(item.department.value)}}`;
  if (item.kind === 'customer') out += ',"kind":"customer"';
  const groups = new Array<string>(item.groups.length);
  for (let g = 0; g < groups.length; g++) groups[g] = jsonString(item.groups[g]!);
  return `${out},"groups":[${groups.join(',')}]}`;
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
  const { header: validHeader, record: validRecord, wire: validWire } = validators();
  const issues: SourceIssue[] = [];
  let wireForm = false;
  const parseLine = (n: number, validate: ValidateFunction, what: string): unknown => {
    let value: unknown;
    try {
      value = JSON.parse(lines[n]!);
    } catch (err) {
      const snippet = jsonErrorSnippet((err as Error).message);
      issues.push({ file, line: n + 1, column: 1, message: `the apply journal is corrupt: line ${n + 1} is not JSON (${(err as Error).message}). ${CORRUPT_HINT}`, ...(snippet ? { sensitive: [snippet] } : {}) });
      return undefined;
    }
    if (wireForm && isWireRecord(value)) {
      const items = toItemsForm(lines[n]!, value, validWire);
      if ('problem' in items) {
        issues.push({ file, line: n + 1, column: 1, message: `the apply journal is corrupt: line ${n + 1} is not a valid ${what} (${items.problem}). ${CORRUPT_HINT}` });
        return undefined;
      }
      value = items.record;
    }
    if (!validate(value)) {
      const e = validate.errors?.[0];
      issues.push({ file, line: n + 1, column: 1, message: `the apply journal is corrupt: line ${n + 1} is not a valid ${what} (${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}). ${CORRUPT_HINT}` });
      return undefined;
    }
    return value;
  };
  const header = parseLine(0, validHeader, 'header') as JournalHeader | undefined;
  wireForm = header?.journal === 2;
  const records: JournalRecord[] = [];
  for (let n = 1; n < lines.length; n++) {
    const record = parseLine(n, validRecord, 'record') as JournalRecord | undefined;
    if (record) records.push(record);
  }
  if (issues.length > 0 || !header) return { ok: false, issues };
  return { ok: true, journal: { header, records, tornTail } };
}

const CORRUPT_HINT =
  'It lists requests the API acknowledged during an interrupted apply; fix the line by hand or remove the journal (the next apply then re-sends what the group files still need, but deletes it recorded are forgotten).';

let compiled: { header: ValidateFunction; record: ValidateFunction; wire: ValidateFunction } | undefined;

/**
 * Journal lines are checked with ajv against schemas/journal.schema.json (its header, record and
 * wireRecord definitions), which takes members and departments from the snapshot's schema.
 */
function validators(): { header: ValidateFunction; record: ValidateFunction; wire: ValidateFunction } {
  if (compiled) return compiled;
  const schema = (name: string) => JSON.parse(readFileSync(join(packageRoot(), 'schemas', name), 'utf8')) as { $id: string };
  const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
  const journal = schema('journal.schema.json');
  ajv.addSchema(schema('snapshot.schema.json')).addSchema(journal);
  const definition = (name: string): ValidateFunction => ajv.getSchema(`${journal.$id}#/definitions/${name}`)!;
  compiled = { header: definition('header'), record: definition('record'), wire: definition('wireRecord') };
  return compiled;
}
