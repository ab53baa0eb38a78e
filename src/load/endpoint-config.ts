import type { SourceIssue } from '../errors/index.js';
import type { Config, CustomerSettings, V1Settings } from './config-model.js';
import type { EndpointRules } from './endpoint-rules.js';
import { keyPositionOf, positionOf, type PathSegment, type YamlSource } from './yaml-source.js';

/** The endpoint sections of a schema-valid config file, as written. */
export interface EndpointConfigInput {
  readonly userGroups?: { readonly endpoint?: 'v2' | 'v1' };
  readonly v1?: Partial<V1Settings>;
  readonly customer?: Partial<CustomerSettings>;
}

/** What group files must meet for the configured endpoints (see endpoint-rules.ts). */
export function endpointRulesOf(config: Pick<Config, 'userGroups' | 'v1'>): EndpointRules {
  if (userGroupEndpoint(config) !== 'v1') return { userEndpoint: 'v2' };
  const v1 = config.v1;
  return {
    userEndpoint: 'v1',
    v1Match: { ...(v1?.accurateMatchType !== undefined ? { type: v1.accurateMatchType } : {}), ...(v1?.accurateMatchValue !== undefined ? { value: v1.accurateMatchValue } : {}) },
  };
}

/** The customer-group settings when the config sets none: the seed's own example. */
export const DEFAULT_CUSTOMER_SETTINGS: CustomerSettings = { isMatching: true, matchingType: 2, identifyWay: 1, optType: { add: 'add', delete: 'delete' } };

/** The endpoint user groups go to. */
export function userGroupEndpoint(config: Pick<Config, 'userGroups'>): 'v2' | 'v1' {
  return config.userGroups?.endpoint ?? 'v2';
}

/**
 * The v1 settings; loadConfig guarantees them whenever v1 is selected. The accurate match also
 * decides which platform/appid a member may carry (see v1MemberProblems).
 */
export function v1SettingsOf(config: Pick<Config, 'v1'>): V1Settings {
  if (!config.v1) throw new TypeError('userGroups.endpoint is v1 but the config has no v1 section');
  return config.v1;
}

/**
 * The customer-group settings: written values over the seed's example. identifyWay defaults to 1
 * only with fuzzy matching (exact matching takes none).
 */
export function customerSettingsOf(config: Pick<Config, 'customer'>): CustomerSettings {
  const c = config.customer ?? {};
  const matchingType = Object.hasOwn(c, 'matchingType') ? c.matchingType : DEFAULT_CUSTOMER_SETTINGS.matchingType;
  const identifyWay = c.identifyWay ?? (matchingType === 2 ? DEFAULT_CUSTOMER_SETTINGS.identifyWay : undefined);
  return {
    isMatching: c.isMatching ?? DEFAULT_CUSTOMER_SETTINGS.isMatching,
    ...(matchingType !== undefined ? { matchingType } : {}),
    ...(identifyWay !== undefined ? { identifyWay } : {}),
    optType: c.optType ?? DEFAULT_CUSTOMER_SETTINGS.optType,
  };
}

/**
 * The rules across fields that the schema cannot word well, each at the field to fix: v1 selected
 * without its settings, fuzzy matching without identifyWay, identifyWay or an accurate match with
 * the other kind of matching, an app id without its app type, and one optType for both operations.
 */
export function endpointConfigIssues(source: YamlSource, config: EndpointConfigInput): SourceIssue[] {
  const issues: SourceIssue[] = [];
  const at = (path: readonly PathSegment[], message: string, key?: string): void => {
    const pos = key !== undefined ? keyPositionOf(source, path, key) : positionOf(source, path);
    issues.push({ file: source.file, ...pos, message });
  };
  if (config.userGroups?.endpoint === 'v1' && !config.v1) {
    at(['userGroups', 'endpoint'], 'userGroups.endpoint v1 needs a v1: section with at least isMatching: true or false (v1 requires publicParams.isMatching)');
  }
  if (config.v1) {
    matchingRules(['v1'], config.v1, at);
    const v1 = config.v1;
    if (v1.matchingType === 2) {
      for (const key of ['accurateMatchType', 'accurateMatchValue'] as const) {
        if (v1[key] !== undefined) at(['v1'], `v1.${key} is for exact matching (matchingType: 1), not fuzzy matching: remove it or set matchingType: 1`, key);
      }
    }
    if (v1.accurateMatchValue !== undefined && v1.accurateMatchType === undefined) {
      at(['v1'], 'v1.accurateMatchValue (the app id) needs v1.accurateMatchType (the app type, e.g. gzh)', 'accurateMatchValue');
    }
  }
  if (config.customer) {
    const effective = customerSettingsOf({ customer: config.customer });
    matchingRules(
      ['customer'],
      { ...config.customer, ...(effective.matchingType !== undefined ? { matchingType: effective.matchingType } : {}), identifyWay: effective.identifyWay },
      at,
      config.customer,
    );
    const opt = config.customer.optType;
    if (opt && String(opt.add) === String(opt.delete)) at(['customer', 'optType'], `customer.optType sends the same value (${JSON.stringify(opt.add)}) for add and delete: give each its own`);
  }
  return issues;
}

/** Fuzzy matching needs identifyWay; identifyWay means fuzzy matching. `written` is what the file says (for positions). */
function matchingRules(
  path: readonly PathSegment[],
  settings: { readonly matchingType?: 1 | 2; readonly identifyWay?: 1 | 2 | undefined },
  at: (path: readonly PathSegment[], message: string, key?: string) => void,
  written: { readonly matchingType?: 1 | 2; readonly identifyWay?: 1 | 2 } = settings,
): void {
  const name = String(path[0]);
  if (settings.matchingType === 2 && settings.identifyWay === undefined) {
    const orders =
      name === 'customer' ? '1: unionid > openid > phone > customer id, 2: phone > unionid > openid > customer id' : '1: unionid > openid > phone > user id, 2: user id > phone > openid > unionid';
    at([...path, 'matchingType'], `${name}.matchingType 2 (fuzzy matching) needs ${name}.identifyWay, the order identities are tried in (${orders})`);
  }
  if (settings.matchingType === 1 && written.identifyWay !== undefined) {
    at(path, `${name}.identifyWay applies to fuzzy matching (matchingType: 2) only: remove it, or set matchingType: 2`, 'identifyWay');
  }
}
