import { isLosslessNumber } from 'lossless-json';
import type { DepartmentKey, SandboxGroup, SandboxIdentity } from '../types.js';
import { checkContract, hasOnlyKeys, isRecord, jsonType, objectAt, onlyKeys, optionalText, readImportBody, readOptTypeString, requiredText, violate, type ContractCheck } from './json-checks.js';

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
    const repeats = new Repeats();
    const items = data.map((raw, i) => readItem(raw, i, warnings, repeats));
    return { optType, ...(matchingType !== undefined ? { matchingType } : {}), items };
  });
}

function readMatchingType(value: unknown): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (isLosslessNumber(value) && (value.toString() === '1' || value.toString() === '2')) return value.toString() === '1' ? 1 : 2;
  return violate(`publicParams.matchingType must be the integer 1 (exact) or 2 (fuzzy), got ${jsonType(value)}`);
}

/**
 * What the previous item read, for the next one to reuse when it repeats it: the items of one
 * request mostly share their groups and context, and a shared result is both checked once and the
 * same object, which lets the endpoint look the groups up once for all of them.
 */
class Repeats {
  groupsText: string | undefined;
  groupNames: readonly string[] = NO_NAMES;
  department: { readonly field: DepartmentKey; readonly value: string } | undefined;
  context: Omit<SandboxGroup, 'name'> = ENTERPRISE;
}

const NO_NAMES: readonly string[] = Object.freeze([]);
const ENTERPRISE: Omit<SandboxGroup, 'name'> = Object.freeze({ categoryType: '1' });

// The paths in messages are built only when a message is: items and identities are thousands per request.
const itemAt = (i: number): string => `data[${i}]`;
const identityAt = (i: number, j: number): string => `data[${i}].identities[${j}]`;

function readItem(raw: unknown, i: number, warnings: string[], repeats: Repeats): V2RequestItem {
  const item = isRecord(raw) ? raw : objectAt(raw, itemAt(i));
  if (!hasOnlyKeys(item, ITEM_KEYS)) onlyKeys(item, ITEM_KEYS, itemAt(i));
  const identities = item.identities;
  if (!Array.isArray(identities) || identities.length === 0) violate(`${itemAt(i)}.identities must be a non-empty array, got ${identities === undefined ? 'nothing' : jsonType(identities)}`);
  const groups = item.groups;
  let groupNames: readonly string[];
  if (groups === undefined) {
    groupNames = NO_NAMES;
    warnings.push(`${itemAt(i)} has no groups: the call changes no membership for it`);
  } else if (groups === repeats.groupsText) groupNames = repeats.groupNames;
  else {
    groupNames = readGroups(groups, itemAt(i));
    repeats.groupsText = groups as string;
    repeats.groupNames = groupNames;
  }
  const read: SandboxIdentity[] = [];
  for (let j = 0; j < identities.length; j++) read.push(readIdentity(identities[j], i, j));
  return { identities: read, groupNames, context: readContext(item, i, repeats) };
}

function readIdentity(raw: unknown, i: number, j: number): SandboxIdentity {
  const identity = isRecord(raw) ? raw : objectAt(raw, identityAt(i, j));
  if (!hasOnlyKeys(identity, IDENTITY_KEYS)) onlyKeys(identity, IDENTITY_KEYS, identityAt(i, j));
  const value = identity.identityValue;
  const type = identity.identityType;
  const platform = identity.platform;
  const appid = identity.appid;
  const eco = identity.isWeChatEcosystem;
  // The usual identity, checked without a path; anything else goes through the checks that word the message.
  const plain =
    isText(value) &&
    isText(type) &&
    (platform === undefined || isText(platform)) &&
    (appid === undefined || isText(appid)) &&
    (eco === undefined || typeof eco === 'boolean') &&
    (appid === undefined || eco !== undefined);
  if (!plain) return readIdentityStrictly(identity, identityAt(i, j));
  const out: { type: string; value: string; platform?: string; appid?: string; isWeChatEcosystem?: boolean } = { type, value };
  if (platform !== undefined) out.platform = platform;
  if (appid !== undefined) out.appid = appid;
  if (eco !== undefined) out.isWeChatEcosystem = eco;
  return out;
}

/** readIdentity's checks one by one, in the order the first violation is reported. */
function readIdentityStrictly(identity: Record<string, unknown>, at: string): SandboxIdentity {
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

/** A string with non-blank text, as requiredText takes it. */
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
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

function readContext(item: Record<string, unknown>, i: number, repeats: Repeats): Omit<SandboxGroup, 'name'> {
  const raw = item.categoryType;
  if (raw === undefined || raw === '1') {
    if (item.wxDeptId === undefined && item.thirdDeptId === undefined && item.deptId === undefined) return ENTERPRISE;
  } else if (raw === '2') {
    const wx = item.wxDeptId;
    // The usual department item: one wxDeptId, the same as the previous item's.
    if (typeof wx === 'string' && item.thirdDeptId === undefined && item.deptId === undefined && repeats.department?.field === 'wxDeptId' && repeats.department.value === wx) {
      return repeats.context;
    }
  }
  const context = readContextStrictly(item, itemAt(i));
  if (context.department) {
    repeats.department = context.department;
    repeats.context = context;
  }
  return context;
}

/** readContext's checks one by one, in the order the first violation is reported. */
function readContextStrictly(item: Record<string, unknown>, at: string): Omit<SandboxGroup, 'name'> {
  const raw = item.categoryType;
  if (raw !== undefined && raw !== '1' && raw !== '2') violate(`${at}.categoryType must be the string "1" (enterprise) or "2" (department), got ${jsonType(raw)}`);
  const categoryType = raw ?? '1';
  const present = DEPARTMENT_KEYS.filter((k) => item[k] !== undefined);
  if (categoryType === '1') {
    if (present.length > 0) violate(`${at}.${present[0]} is only allowed with categoryType "2" (department groups)`);
    return ENTERPRISE;
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
