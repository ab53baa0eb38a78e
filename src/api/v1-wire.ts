import type { BatchItem, PlannedBatch } from '../core/batches.js';
import { identityValueOf, v1MemberProblems, type V1_IDENTITY_TYPES } from '../core/endpoint-identities.js';
import { InternalError } from '../errors/index.js';

/** The path of the legacy v1 membership import, after the path prefix (rabbitpre-api.md §2). */
export const V1_BATCH_ADD_PATH = '/audience/group/rel/batchAdd';

/** The accurate-match app types the seed lists for exact matching. */
export const V1_ACCURATE_MATCH_TYPES = ['gzh', 'workwechat', 'YOUZAN', 'EZR', 'contentminiapp', 'contenthome'] as const;

/** The import settings of v1, from the config (`v1:`). */
export interface V1Params {
  /** publicParams.isMatching: required by v1. */
  readonly isMatching: boolean;
  /** 1 exact, 2 fuzzy; omitted: the platform's default. */
  readonly matchingType?: 1 | 2;
  /** Required for fuzzy matching: 1 unionid > openid > phone > user id, 2 user id > phone > openid > unionid. */
  readonly identifyWay?: 1 | 2;
  readonly accurateMatchType?: (typeof V1_ACCURATE_MATCH_TYPES)[number];
  readonly accurateMatchValue?: string;
}

/** identityType of exact matching: the seed's names for the flat fields (thirdId is the user "id"). */
const IDENTITY_TYPE_NAMES: Record<(typeof V1_IDENTITY_TYPES)[number], V1IdentityType> = { phone: 'phone', openid: 'openid', unionid: 'unionid', thirdId: 'id' };

export type V1IdentityType = 'phone' | 'id' | 'openid' | 'unionid';

/** One v1 request item: a person's identities as flat fields, and group names joined by ",". */
export interface V1Item {
  identityType?: V1IdentityType;
  thirdId?: string;
  openid?: string;
  unionid?: string;
  phone?: string;
  groups: string;
}

export interface V1PublicParams {
  isMatching: boolean;
  matchingType?: 1 | 2;
  identifyWay?: 1 | 2;
  accurateMatchType?: string;
  accurateMatchValue?: string;
  optType: 'add' | 'delete';
}

export interface V1Body {
  publicParams: V1PublicParams;
  data: V1Item[];
}

/**
 * Maps a planned batch to the v1 request body. v1 has no category or department: only enterprise
 * user groups can go through it (the loader refuses the rest when v1 is configured). With exact
 * matching each item names the identity to match by: the member's key (its first identity).
 */
export function toV1Body(batch: PlannedBatch, params: V1Params): V1Body {
  if (batch.target === 'customer') throw new InternalError('a customer-group batch cannot go to the v1 user-group endpoint');
  const publicParams: Omit<V1PublicParams, 'optType'> = { isMatching: params.isMatching };
  if (params.matchingType !== undefined) publicParams.matchingType = params.matchingType;
  if (params.identifyWay !== undefined) publicParams.identifyWay = params.identifyWay;
  if (params.accurateMatchType !== undefined) publicParams.accurateMatchType = params.accurateMatchType;
  if (params.accurateMatchValue !== undefined) publicParams.accurateMatchValue = params.accurateMatchValue;
  return { publicParams: { ...publicParams, optType: batch.op }, data: batch.items.map((item) => toV1Item(item, params)) };
}

function toV1Item(item: BatchItem, params: V1Params): V1Item {
  if (item.groups.length === 0) throw new InternalError('a batch item has no groups');
  if (item.category !== 'enterprise' || item.department) throw new InternalError('a department group cannot be sent to the v1 endpoint');
  const problems = v1MemberProblems(item.member, {
    ...(params.accurateMatchType ? { type: params.accurateMatchType } : {}),
    ...(params.accurateMatchValue ? { value: params.accurateMatchValue } : {}),
  });
  if (problems.length > 0) throw new InternalError(`a member the loader should have refused reached the v1 endpoint: ${problems[0]!}`);
  const out: Omit<V1Item, 'groups'> = {};
  if (params.matchingType === 1) out.identityType = IDENTITY_TYPE_NAMES[item.member.identities[0]!.type as keyof typeof IDENTITY_TYPE_NAMES];
  for (const field of ['thirdId', 'openid', 'unionid', 'phone'] as const) {
    const value = identityValueOf(item.member, field);
    if (value !== undefined) out[field] = value;
  }
  return { ...out, groups: item.groups.join(',') };
}
