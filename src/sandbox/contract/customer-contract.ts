import { isLosslessNumber } from 'lossless-json';
import type { SandboxIdentity } from '../types.js';
import { checkContract, jsonType, objectAt, onlyKeys, optionalText, readImportBody, readMatching, violate, type ContractCheck } from './json-checks.js';
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

export type CustomerCheck = ContractCheck<CustomerRequest>;

/**
 * Checks a losslessly parsed customer-group body against seed 001, strictly. optType: the table
 * types it int, the example sends "add"; the sandbox takes the strings "add"/"delete" and the
 * integers 1 (add) and 2 (delete) (its own reading: the seed names no numbers). isMatching is a
 * required boolean; identifyWay is required for fuzzy matching; an item needs one identity field.
 */
export function checkCustomerBody(body: unknown): CustomerCheck {
  return checkContract((warnings) => {
    const { params, data } = readImportBody(body, PUBLIC_PARAMS_KEYS, CUSTOMER_MAX_ITEMS);
    const optType = readOptType(params.optType);
    const matching = readMatching(params, warnings);
    if (!matching.isMatching) warnings.push('publicParams.isMatching is false: the sandbox still matches customers by identity');
    const items = data.map((raw, i) => readItem(raw, `data[${i}]`, warnings));
    return { optType, ...matching, items };
  });
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
