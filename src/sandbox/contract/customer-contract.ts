import { isLosslessNumber } from 'lossless-json';
import type { SandboxIdentity } from '../types.js';
import { ContractViolation, jsonType, objectAt, onlyKeys, optionalText, readOneOrTwo, violate } from './json-checks.js';
import { readGroups } from './v2-contract.js';

/** The most items one call takes: the seed states none; rabbitpre-api.md decides 500, as the other endpoints. */
export const CUSTOMER_MAX_ITEMS = 500;

/** A customer's identity fields (seed 001), in the seed's order. */
export const CUSTOMER_FIELDS = ['audienceUserId', 'openid', 'unionid', 'phone'] as const;
const ITEM_KEYS = [...CUSTOMER_FIELDS, 'groups'];
const PUBLIC_PARAMS_KEYS = ['isMatching', 'matchingType', 'identifyWay', 'optType'];

/** One item of a valid customer request. */
export interface CustomerRequestItem {
  readonly identities: readonly SandboxIdentity[];
  readonly groupNames: readonly string[];
  /** The item as sent: a failed row is echoed in errorData in the request's own shape. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface CustomerRequest {
  readonly optType: 'add' | 'delete';
  readonly isMatching: boolean;
  readonly matchingType?: 1 | 2;
  readonly identifyWay?: 1 | 2;
  readonly items: readonly CustomerRequestItem[];
}

export type CustomerCheck = { ok: true; request: CustomerRequest; warnings: string[] } | { ok: false; errorCode: string; msg: string };

/**
 * Checks a losslessly parsed customer-group body against seed 001, strictly. optType: the table
 * types it int, the example sends "add"; the sandbox takes the strings "add"/"delete" and the
 * integers 1 (add) and 2 (delete) (its own reading: the seed names no numbers). isMatching is a
 * required boolean; identifyWay is required for fuzzy matching; an item needs one identity field.
 */
export function checkCustomerBody(body: unknown): CustomerCheck {
  const warnings: string[] = [];
  try {
    const root = objectAt(body, 'body');
    onlyKeys(root, ['publicParams', 'data'], 'body');
    const params = objectAt(root.publicParams, 'publicParams');
    onlyKeys(params, PUBLIC_PARAMS_KEYS, 'publicParams');
    const optType = readOptType(params.optType);
    const isMatching = params.isMatching;
    if (typeof isMatching !== 'boolean') violate(`publicParams.isMatching is required and must be a boolean, got ${isMatching === undefined ? 'nothing' : jsonType(isMatching)}`);
    const matchingType = readOneOrTwo(params.matchingType, 'publicParams.matchingType', '1 (exact) or 2 (fuzzy)');
    const identifyWay = readOneOrTwo(params.identifyWay, 'publicParams.identifyWay', '1 or 2');
    if (matchingType === 2 && identifyWay === undefined) violate('publicParams.identifyWay is required for fuzzy matching (matchingType 2)');
    if (matchingType === 1 && identifyWay !== undefined) warnings.push('publicParams.identifyWay is for fuzzy matching; exact matching ignores it');
    if (!isMatching) warnings.push('publicParams.isMatching is false: the sandbox still matches customers by identity');
    const data = root.data;
    if (!Array.isArray(data)) violate(`data must be an array, got ${data === undefined ? 'nothing' : jsonType(data)}`);
    if (data.length === 0) violate('data must hold at least one item');
    if (data.length > CUSTOMER_MAX_ITEMS) throw new ContractViolation('DATA_LIMIT_EXCEEDED', `data holds ${data.length} items; at most ${CUSTOMER_MAX_ITEMS} per call`);
    const items = data.map((raw, i) => readItem(raw, `data[${i}]`, warnings));
    return {
      ok: true,
      request: { optType, isMatching, ...(matchingType !== undefined ? { matchingType } : {}), ...(identifyWay !== undefined ? { identifyWay } : {}), items },
      warnings,
    };
  } catch (err) {
    if (err instanceof ContractViolation) return { ok: false, errorCode: err.errorCode, msg: err.message };
    throw err;
  }
}

function readOptType(value: unknown): 'add' | 'delete' {
  if (value === 'add' || value === 'delete') return value;
  if (isLosslessNumber(value) && (value.toString() === '1' || value.toString() === '2')) return value.toString() === '1' ? 'add' : 'delete';
  return violate(`publicParams.optType must be "add" or "delete" (or 1 add, 2 delete), got ${value === undefined ? 'nothing' : jsonType(value)}`);
}

function readItem(raw: unknown, at: string, warnings: string[]): CustomerRequestItem {
  const item = objectAt(raw, at);
  onlyKeys(item, ITEM_KEYS, at);
  const identities: SandboxIdentity[] = [];
  for (const field of CUSTOMER_FIELDS) {
    const value = optionalText(item, field, at);
    if (value !== undefined) identities.push({ type: field, value });
  }
  if (identities.length === 0) violate(`${at} needs at least one of ${CUSTOMER_FIELDS.join(', ')}`);
  const groupNames = readGroups(item.groups, at);
  if (item.groups === undefined) warnings.push(`${at} has no groups: the call changes no membership for it`);
  return { identities, groupNames, raw: item };
}
