import type { Identity, Member } from './model.js';

/**
 * The identity types the legacy v1 endpoint can carry: flat fields of a request item, at most one
 * of each (rabbitpre-api.md §2). `thirdId` (第三方用户ID) is the "user ID" (identityType "id") of
 * the seed's exact matching and of identifyWay's priority lists.
 */
export const V1_IDENTITY_TYPES = ['phone', 'openid', 'unionid', 'thirdId'] as const;

/** The identity types of a customer (客户): the customer endpoint's flat fields (rabbitpre-api.md §3). */
export const CUSTOMER_IDENTITY_TYPES = ['audienceUserId', 'openid', 'unionid', 'phone'] as const;

/** The v1 app the configuration matches exactly against (publicParams.accurateMatchType / accurateMatchValue). */
export interface V1AccurateMatch {
  readonly type?: string;
  readonly value?: string;
}

/**
 * Why a member cannot be sent as one v1 item: identity types outside the four flat fields, two
 * identities of one type, or a platform/appid other than the configured accurate match (v1 has no
 * per-identity platform or appid). Empty when it can.
 */
export function v1MemberProblems(member: Member, match: V1AccurateMatch): string[] {
  const problems = flatFieldProblems(member, V1_IDENTITY_TYPES, 'the v1 endpoint (userGroups.endpoint: v1)');
  for (const id of member.identities) {
    if (id.platform !== undefined && id.platform !== match.type) {
      problems.push(`${id.type} has platform "${id.platform}", which v1 cannot send per member: remove it, or set v1.accurateMatchType: ${id.platform} in the config`);
    }
    if (id.appid !== undefined && id.appid !== match.value) {
      problems.push(`${id.type} has appid "${id.appid}", which v1 cannot send per member: remove it, or set v1.accurateMatchValue: ${id.appid} in the config`);
    }
  }
  return problems;
}

/** Why a member cannot be sent as a customer: types outside the four fields, two of one type, or platform/appid fields. */
export function customerMemberProblems(member: Member): string[] {
  const problems = flatFieldProblems(member, CUSTOMER_IDENTITY_TYPES, 'a customer group (kind: customer)');
  for (const id of member.identities) {
    const extra = (['platform', 'appid', 'isWeChatEcosystem'] as const).filter((f) => id[f] !== undefined);
    if (extra.length > 0) problems.push(`${id.type} has ${extra.join(', ')}, which the customer-group endpoint does not take: remove ${extra.length === 1 ? 'it' : 'them'}`);
  }
  return problems;
}

function flatFieldProblems(member: Member, allowed: readonly string[], where: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const id of member.identities) {
    if (!allowed.includes(id.type)) {
      problems.push(`identity type "${id.type}" cannot be sent to ${where}: use ${allowed.join(', ')}`);
      continue;
    }
    if (seen.has(id.type)) problems.push(`two ${id.type} identities: ${where} takes at most one of each type per member`);
    seen.add(id.type);
  }
  return problems;
}

/** The value of a member's identity of one type, if any. */
export function identityValueOf(member: Member, type: string): string | undefined {
  return member.identities.find((id: Identity) => id.type === type)?.value;
}
