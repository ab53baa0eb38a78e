import type { SandboxIdentity } from '../types.js';
import { checkContract, jsonType, objectAt, onlyKeys, optionalText, readImportBody, readMatching, readOptTypeString, violate, type ContractCheck } from './json-checks.js';
import { readGroups, V2_MAX_ITEMS } from './v2-contract.js';

/** The most items one call takes (seed 000: 每次最大500条). */
export const V1_MAX_ITEMS = V2_MAX_ITEMS;

/** The app types exact matching accepts (seed 000, accurateMatchType). */
export const V1_ACCURATE_MATCH_TYPES = ['gzh', 'workwechat', 'YOUZAN', 'EZR', 'contentminiapp', 'contenthome'] as const;

/** identityType of exact matching, and the flat field each one names. */
const IDENTITY_TYPE_FIELDS = { phone: 'phone', id: 'thirdId', openid: 'openid', unionid: 'unionid' } as const;
/** The flat identity fields, in the seed's order. */
const IDENTITY_FIELDS = ['thirdId', 'openid', 'unionid', 'phone'] as const;
const PUBLIC_PARAMS_KEYS = ['isMatching', 'matchingType', 'identifyWay', 'accurateMatchType', 'accurateMatchValue', 'optType'];
const ITEM_KEYS = ['identityType', ...IDENTITY_FIELDS, 'groups'];

/** One item of a valid v1 request, in the sandbox's terms. */
export interface V1RequestItem {
  /** The flat fields as identities (type thirdId, openid, unionid, phone); the one identityType names comes first. */
  readonly identities: readonly SandboxIdentity[];
  readonly groupNames: readonly string[];
}

export interface V1Request {
  readonly optType: 'add' | 'delete';
  readonly isMatching: boolean;
  readonly matchingType?: 1 | 2;
  readonly identifyWay?: 1 | 2;
  readonly accurateMatchType?: string;
  readonly accurateMatchValue?: string;
  readonly items: readonly V1RequestItem[];
}

export type V1Check = ContractCheck<V1Request>;

/**
 * Checks a losslessly parsed v1 body against seed 000, strictly. Decisions where the seed is loose:
 * isMatching must be a JSON boolean; identifyWay is required with matchingType 2 and only warned
 * about with matchingType 1; identityType is required with matchingType 1 and must name a field the
 * item gives (id names thirdId); accurateMatchValue needs accurateMatchType; an item needs at least
 * one identity field; every identity is a non-blank string.
 */
export function checkV1Body(body: unknown): V1Check {
  return checkContract((warnings) => {
    const { params, data } = readImportBody(body, PUBLIC_PARAMS_KEYS, V1_MAX_ITEMS);
    const optType = readOptTypeString(params.optType);
    const matching = readMatching(params, warnings);
    const accurateMatchType = optionalText(params, 'accurateMatchType', 'publicParams');
    if (accurateMatchType !== undefined && !(V1_ACCURATE_MATCH_TYPES as readonly string[]).includes(accurateMatchType)) {
      violate(`publicParams.accurateMatchType must be one of ${V1_ACCURATE_MATCH_TYPES.join(', ')}, got ${jsonType(accurateMatchType)}`);
    }
    const accurateMatchValue = optionalText(params, 'accurateMatchValue', 'publicParams');
    if (accurateMatchValue !== undefined && accurateMatchType === undefined) violate('publicParams.accurateMatchValue needs publicParams.accurateMatchType');
    if (!matching.isMatching) warnings.push('publicParams.isMatching is false: the sandbox still matches users by identity');
    const exact = matching.matchingType === 1;
    const items = data.map((raw, i) => readItem(raw, `data[${i}]`, exact, exact ? { type: accurateMatchType, value: accurateMatchValue } : {}, warnings));
    return {
      optType,
      ...matching,
      ...(accurateMatchType !== undefined ? { accurateMatchType } : {}),
      ...(accurateMatchValue !== undefined ? { accurateMatchValue } : {}),
      items,
    };
  });
}

/**
 * An item's identities. With exact matching the app (accurateMatchType/Value) qualifies the
 * openid, an app's own user id, so it is stored with that platform and appid.
 */
function readItem(raw: unknown, at: string, exact: boolean, app: { type?: string | undefined; value?: string | undefined }, warnings: string[]): V1RequestItem {
  const item = objectAt(raw, at);
  onlyKeys(item, ITEM_KEYS, at);
  const identities: SandboxIdentity[] = [];
  for (const field of IDENTITY_FIELDS) {
    const value = optionalText(item, field, at);
    if (value === undefined) continue;
    const qualified = exact && field === 'openid' && app.type !== undefined;
    identities.push(qualified ? { type: field, value, platform: app.type!, ...(app.value !== undefined ? { appid: app.value } : {}) } : { type: field, value });
  }
  if (identities.length === 0) violate(`${at} needs at least one of ${IDENTITY_FIELDS.join(', ')}`);
  const identityType = item.identityType;
  if (identityType !== undefined) {
    if (typeof identityType !== 'string' || !Object.hasOwn(IDENTITY_TYPE_FIELDS, identityType)) {
      violate(`${at}.identityType must be one of ${Object.keys(IDENTITY_TYPE_FIELDS).join(', ')}, got ${jsonType(identityType)}`);
    }
    const field = IDENTITY_TYPE_FIELDS[identityType as keyof typeof IDENTITY_TYPE_FIELDS];
    const named = identities.findIndex((id) => id.type === field);
    if (named === -1) violate(`${at}.identityType is "${identityType}" but the item has no ${field}`);
    // The identity exact matching goes by is matched first.
    identities.unshift(...identities.splice(named, 1));
  } else if (exact) violate(`${at}.identityType is required for exact matching (matchingType 1)`);
  const groupNames = readGroups(item.groups, at);
  if (item.groups === undefined) warnings.push(`${at} has no groups: the call changes no membership for it`);
  return { identities, groupNames };
}
