import { isLosslessNumber } from 'lossless-json';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import { CUSTOMER_IDENTITY_TYPES, customerMemberProblems, identityValueOf } from '../core/endpoint-identities.js';
import type { ItemFailure } from '../core/not-applied.js';
import { InternalError } from '../errors/index.js';

/** The path of the customer-group import, after the path prefix (rabbitpre-api.md §3). */
export const CUSTOMER_BATCH_ADD_PATH = '/audience/info/batchAdd';

type CustomerField = (typeof CUSTOMER_IDENTITY_TYPES)[number];

/** The import settings of the customer endpoint, from the config (`customer:`). */
export interface CustomerParams {
  /** publicParams.isMatching: required by the endpoint. */
  readonly isMatching: boolean;
  readonly matchingType?: 1 | 2;
  /** Required for fuzzy matching: 1 unionid > openid > phone > customer id, 2 phone > unionid > openid > customer id. */
  readonly identifyWay?: 1 | 2;
  /**
   * What optType is sent as. The seed's table types it int while its example sends "add"; the
   * default follows the example, and a tenant whose gateway wants numbers configures them.
   */
  readonly optType: { readonly add: string | number; readonly delete: string | number };
}

/** One customer item: the customer's identities as flat fields, and group names joined by ",". */
export interface CustomerItem {
  audienceUserId?: string;
  openid?: string;
  unionid?: string;
  phone?: string;
  groups: string;
}

export interface CustomerBody {
  publicParams: { isMatching: boolean; matchingType?: 1 | 2; identifyWay?: 1 | 2; optType: string | number };
  data: CustomerItem[];
}

/** Maps a planned customer-group batch to the request body. */
export function toCustomerBody(batch: PlannedBatch, params: CustomerParams): CustomerBody {
  if (batch.target !== 'customer') throw new InternalError('a user-group batch cannot go to the customer-group endpoint');
  return {
    publicParams: {
      isMatching: params.isMatching,
      ...(params.matchingType !== undefined ? { matchingType: params.matchingType } : {}),
      ...(params.identifyWay !== undefined ? { identifyWay: params.identifyWay } : {}),
      optType: params.optType[batch.op],
    },
    data: batch.items.map(toCustomerItem),
  };
}

function toCustomerItem(item: BatchItem): CustomerItem {
  if (item.groups.length === 0) throw new InternalError('a batch item has no groups');
  const problems = customerMemberProblems(item.member);
  if (problems.length > 0) throw new InternalError(`a member the loader should have refused reached the customer endpoint: ${problems[0]!}`);
  const out: Omit<CustomerItem, 'groups'> = {};
  for (const field of CUSTOMER_IDENTITY_TYPES) {
    const value = identityValueOf(item.member, field);
    if (value !== undefined) out[field] = value;
  }
  return { ...out, groups: item.groups.join(',') };
}

/** What a customer import answered, once read. */
export type CustomerResult =
  /** status -1: the import failed as a whole. */
  | { readonly kind: 'failed'; readonly message: string }
  /** status 0 (in progress), or an answer that does not say which rows failed: nothing is confirmed. */
  | { readonly kind: 'unknown'; readonly message: string }
  /** status 1 or 2: applied but for `failed` (errorData rows matched back to request items). */
  | { readonly kind: 'done'; readonly status: 1 | 2; readonly failed: readonly ItemFailure[]; readonly message: string }
  | { readonly kind: 'malformed'; readonly why: string };

/**
 * Reads the synchronous result `{ status, message, importSuccessNum, importFailNum, errorData }`
 * and matches each errorData row back to the items sent. Whatever cannot be pinned to items
 * (a row that matches none, more failures counted than rows listed, status 2 without rows) makes
 * the result unknown: nothing may be recorded that the API did not confirm.
 */
export function readCustomerResult(data: unknown, sent: readonly CustomerItem[]): CustomerResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || isLosslessNumber(data)) return { kind: 'malformed', why: 'data is not the import result object' };
  const r = data as Record<string, unknown>;
  const status = integerOf(r.status);
  const message = typeof r.message === 'string' ? r.message : '';
  if (status === undefined || ![-1, 0, 1, 2].includes(status)) return { kind: 'malformed', why: `data.status is not -1, 0, 1 or 2 (got ${describeValue(r.status)})` };
  if (status === -1) return { kind: 'failed', message };
  if (status === 0) return { kind: 'unknown', message: message || 'the import is still in progress (status 0)' };
  const rows = r.errorData === null || r.errorData === undefined ? [] : r.errorData;
  if (!Array.isArray(rows)) return { kind: 'malformed', why: 'data.errorData is neither a list nor null' };
  const failed: ItemFailure[] = [];
  const reason = message || (status === 2 ? 'not imported (status 2, partly imported)' : 'not imported');
  let memberships = 0;
  for (const [n, row] of rows.entries()) {
    const matches = matchRow(row, sent);
    if (matches.length === 0) return { kind: 'unknown', message: `errorData row ${n + 1} matches no item of the request, so the failed rows cannot be told apart${message ? ` (${message})` : ''}` };
    for (const m of matches) {
      failed.push({ index: m.index, reason, ...(m.groups ? { groups: m.groups } : {}) });
      memberships += (m.groups ?? sent[m.index]!.groups.split(',')).length;
    }
  }
  const failNum = integerOf(r.importFailNum) ?? 0;
  if (failNum > Math.max(rows.length, memberships)) {
    return {
      kind: 'unknown',
      message: `importFailNum is ${failNum} but errorData lists ${rows.length} row${rows.length === 1 ? '' : 's'}, so the failed rows cannot all be named${message ? ` (${message})` : ''}`,
    };
  }
  if (status === 2 && failed.length === 0) return { kind: 'unknown', message: `status 2 (partly imported) without errorData naming the failed rows${message ? ` (${message})` : ''}` };
  return { kind: 'done', status: status === 1 ? 1 : 2, failed, message };
}

/**
 * The items an errorData row stands for: every item whose identity fields include all of the row's
 * (a row that is ambiguous fails every item it could be, which only means re-sending them), and
 * whose groups include the row's groups when it names some.
 */
function matchRow(row: unknown, sent: readonly CustomerItem[]): { index: number; groups?: string[] }[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return [];
  const r = row as Record<string, unknown>;
  const fields = CUSTOMER_IDENTITY_TYPES.flatMap((f): [CustomerField, string][] => {
    const v = textOf(r[f]);
    return v === undefined || v === '' ? [] : [[f, v]];
  });
  if (fields.length === 0) return [];
  const rowGroups = textOf(r.groups);
  const named = rowGroups === undefined || rowGroups === '' ? undefined : rowGroups.split(',').map((g) => g.trim());
  const out: { index: number; groups?: string[] }[] = [];
  sent.forEach((item, index) => {
    if (!fields.every(([f, v]) => item[f] === v)) return;
    if (!named) {
      out.push({ index });
      return;
    }
    const have = item.groups.split(',');
    const groups = named.filter((g) => have.includes(g));
    if (groups.length > 0) out.push({ index, groups });
  });
  return out;
}

/** A string, or the digits of a number (a phone can come back as a JSON number). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isLosslessNumber(value)) return value.toString();
  return undefined;
}

function integerOf(value: unknown): number | undefined {
  const text = isLosslessNumber(value) ? value.toString() : typeof value === 'number' ? String(value) : undefined;
  return text !== undefined && /^-?[0-9]+$/.test(text) ? Number(text) : undefined;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isLosslessNumber(value)) return value.toString();
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were described above; what is left is a primitive (or a function)
  return JSON.stringify(value) ?? String(value);
}
