import { isLosslessNumber } from 'lossless-json';
import type { DepartmentKey, SandboxGroup, SandboxIdentity } from '../types.js';
import { checkContract, isRecord, jsonType, objectAt, onlyKeys, optionalText, readImportBody, readOptTypeString, requiredText, violate, type ContractCheck } from './json-checks.js';

/** The most items one call takes (seed 002: 每次最大500条). */
export const V2_MAX_ITEMS = 500;

const LONG_MAX = 2n ** 63n - 1n;
const DEPARTMENT_KEYS: readonly DepartmentKey[] = ['wxDeptId', 'thirdDeptId', 'deptId'];
const ITEM_KEYS = ['identities', 'groups', 'categoryType', ...DEPARTMENT_KEYS];
const IDENTITY_KEYS = ['identityValue', 'identityType', 'platform', 'appid', 'isWeChatEcosystem'];
// isMatching is not in the v2 table but the seed's own v2 example sends it, so the API takes it.
const PUBLIC_PARAMS_KEYS = ['optType', 'matchingType', 'isMatching'];

/** One item of a valid v2 request, in the sandbox's terms. */
export interface V2RequestItem {
  readonly identities: readonly SandboxIdentity[];
  /** The group names; empty when the item has no `groups` (valid, but changes no membership). */
  readonly groupNames: readonly string[];
  readonly context: Omit<SandboxGroup, 'name'>;
}

export interface V2Request {
  readonly optType: 'add' | 'delete';
  readonly matchingType?: 1 | 2;
  readonly items: readonly V2RequestItem[];
}

export type V2Check = ContractCheck<V2Request>;

/**
 * Checks a losslessly parsed v2 body against the documented contract (rabbitpre-api.md §1), strictly:
 * unknown fields, wrong JSON types and empty names are refused, the first violation is reported.
 * Decisions where the seed is loose: categoryType must be the string "1" or "2" (the table types it
 * String); deptId must be a JSON integer (a long); categoryType "2" needs exactly one department key
 * and "1" none; group names may not be empty or padded with spaces.
 */
export function checkV2Body(body: unknown): V2Check {
  return checkContract((warnings) => {
    const { params, data } = readImportBody(body, PUBLIC_PARAMS_KEYS, V2_MAX_ITEMS);
    const optType = readOptTypeString(params.optType);
    const matchingType = readMatchingType(params.matchingType);
    if (params.isMatching !== undefined) {
      if (typeof params.isMatching !== 'boolean') violate(`publicParams.isMatching must be a boolean, got ${jsonType(params.isMatching)}`);
      warnings.push('publicParams.isMatching is not a v2 field (v1 only); v2 ignores it');
    }
    const items = data.map((raw, i) => readItem(raw, `data[${i}]`, warnings));
    return { optType, ...(matchingType !== undefined ? { matchingType } : {}), items };
  });
}

function readMatchingType(value: unknown): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (isLosslessNumber(value) && (value.toString() === '1' || value.toString() === '2')) return value.toString() === '1' ? 1 : 2;
  return violate(`publicParams.matchingType must be the integer 1 (exact) or 2 (fuzzy), got ${jsonType(value)}`);
}

function readItem(raw: unknown, at: string, warnings: string[]): V2RequestItem {
  const item = objectAt(raw, at);
  onlyKeys(item, ITEM_KEYS, at);
  const identities = item.identities;
  if (!Array.isArray(identities) || identities.length === 0) violate(`${at}.identities must be a non-empty array, got ${identities === undefined ? 'nothing' : jsonType(identities)}`);
  const groupNames = readGroups(item.groups, at);
  if (item.groups === undefined) warnings.push(`${at} has no groups: the call changes no membership for it`);
  return { identities: identities.map((id, j) => readIdentity(id, `${at}.identities[${j}]`)), groupNames, context: readContext(item, at) };
}

function readIdentity(raw: unknown, at: string): SandboxIdentity {
  const identity = objectAt(raw, at);
  onlyKeys(identity, IDENTITY_KEYS, at);
  const value = requiredText(identity, 'identityValue', at);
  const type = requiredText(identity, 'identityType', at);
  const platform = optionalText(identity, 'platform', at);
  const appid = optionalText(identity, 'appid', at);
  const eco = identity.isWeChatEcosystem;
  if (eco !== undefined && typeof eco !== 'boolean') violate(`${at}.isWeChatEcosystem must be a boolean, got ${jsonType(eco)}`);
  if (appid !== undefined && eco === undefined) violate(`${at}.isWeChatEcosystem is required when appid is given`);
  return {
    type,
    value,
    ...(platform !== undefined ? { platform } : {}),
    ...(appid !== undefined ? { appid } : {}),
    ...(eco !== undefined ? { isWeChatEcosystem: eco } : {}),
  };
}

/** The group names of an item's `groups` (names joined by ","), refusing empty or space-padded names. */
export function readGroups(value: unknown, at: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') violate(`${at}.groups must be a string of group names joined by ",", got ${jsonType(value)}`);
  const names = value.split(',');
  names.forEach((name, k) => {
    if (name === '') violate(`${at}.groups has an empty group name at position ${k + 1} ("${value}")`);
    if (name.trim() !== name) violate(`${at}.groups: the group name "${name}" starts or ends with a space`);
  });
  return names;
}

function readContext(item: Record<string, unknown>, at: string): Omit<SandboxGroup, 'name'> {
  const raw = item.categoryType;
  if (raw !== undefined && raw !== '1' && raw !== '2') violate(`${at}.categoryType must be the string "1" (enterprise) or "2" (department), got ${jsonType(raw)}`);
  const categoryType = raw ?? '1';
  const present = DEPARTMENT_KEYS.filter((k) => item[k] !== undefined);
  if (categoryType === '1') {
    if (present.length > 0) violate(`${at}.${present[0]} is only allowed with categoryType "2" (department groups)`);
    return { categoryType };
  }
  if (present.length === 0) violate(`${at}: categoryType "2" needs one of wxDeptId, thirdDeptId, deptId`);
  if (present.length > 1) violate(`${at}: give exactly one department key, got ${present.join(', ')}`);
  const field = present[0] as DepartmentKey;
  return { categoryType, department: { field, value: field === 'deptId' ? readDeptId(item.deptId, at) : requiredText(item, field, at) } };
}

function readDeptId(value: unknown, at: string): string {
  const digits = isLosslessNumber(value) ? value.toString() : undefined;
  if (digits === undefined || !/^(0|[1-9][0-9]*)$/.test(digits) || BigInt(digits) > LONG_MAX) {
    violate(`${at}.deptId must be a non-negative JSON integer that fits a long, got ${jsonType(value)}`);
  }
  return digits;
}
