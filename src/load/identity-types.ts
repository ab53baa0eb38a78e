import { closest } from './schema-issues.js';

/**
 * The identity types groupops knows without configuration: those the vendor's three import pages
 * name (rabbitpre-api.md), and the WeCom user id the sandbox and the examples use. A tenant's own
 * types (configured on the platform under 用户 → 身份类型管理) are declared in the config.
 */
export const BUILTIN_IDENTITY_TYPES = [
  { name: 'phone', meaning: 'mobile phone number (手机号): every endpoint' },
  { name: 'openid', meaning: 'WeChat official-account openid (公众号 openid), usually with platform and appid: every endpoint' },
  { name: 'unionid', meaning: 'WeChat Open Platform unionid (开放平台 unionid): every endpoint' },
  { name: 'thirdId', meaning: 'third-party user id (第三方用户ID), the "user id" of the v1 endpoint (sent there as identityType id)' },
  { name: 'audienceUserId', meaning: 'customer id (客户ID): customer groups (kind: customer)' },
  { name: 'workwechat_userid', meaning: 'WeCom (企业微信) userid, with platform: workwechat: v2 user groups' },
] as const;

/** The names of the built-in identity types. */
export const BUILTIN_TYPE_NAMES: readonly string[] = BUILTIN_IDENTITY_TYPES.map((t) => t.name);

/**
 * The pattern a phone number must match unless the config gives another: digits with an optional
 * leading "+", so that "138 0000 0001", "138-0000-0001" or a letter typed for a digit are refused
 * instead of being sent as a different person.
 */
export const DEFAULT_PHONE_PATTERN = '^\\+?[0-9]+$';

/**
 * The identity types a run accepts and the value pattern of each: plain data, so that it crosses to
 * the parse workers with the files to read.
 */
export interface IdentityTypeSettings {
  /** The tenant's own types (identityTypes.custom of the config), besides the built-in ones. */
  readonly custom: readonly string[];
  /** A pattern (JavaScript regular expression, matched against the whole value) per type. */
  readonly patterns: Readonly<Record<string, string>>;
}

/** The settings without a config: the built-in types, and the phone pattern. */
export const DEFAULT_IDENTITY_TYPES: IdentityTypeSettings = { custom: [], patterns: { phone: DEFAULT_PHONE_PATTERN } };

/** Words people use for a built-in type that are too far from its name for "did you mean". */
const SYNONYMS: Readonly<Record<string, string>> = {
  telephone: 'phone',
  tel: 'phone',
  mobile: 'phone',
  mobilephone: 'phone',
  cellphone: 'phone',
  phonenumber: 'phone',
  phone_number: 'phone',
  phoneno: 'phone',
  id: 'thirdId',
  userid: 'thirdId',
  user_id: 'thirdId',
  thirdpartyid: 'thirdId',
  customerid: 'audienceUserId',
  customer_id: 'audienceUserId',
  wecom: 'workwechat_userid',
  wecomid: 'workwechat_userid',
  wecom_userid: 'workwechat_userid',
  workwechat: 'workwechat_userid',
};

/** The settings compiled: the set of types and the regular expressions. */
export interface IdentityTypeRules {
  readonly settings: IdentityTypeSettings;
  /** True when `type` is a built-in or a declared custom type. */
  isKnown(type: string): boolean;
  /** Why `value` is not a valid `type` value (its pattern), or undefined when it is. */
  valueProblem(type: string, value: string): string | undefined;
  /** The message for an identity type that is neither built in nor declared. */
  unknownTypeMessage(type: string): string;
  /** The known type a mistyped one probably means (close spelling, other case, common synonym). */
  suggest(type: string): string | undefined;
}

const compiled = new WeakMap<IdentityTypeSettings, IdentityTypeRules>();

/** The compiled rules of `settings` (compiled once per settings object). */
export function identityTypeRules(settings: IdentityTypeSettings = DEFAULT_IDENTITY_TYPES): IdentityTypeRules {
  let rules = compiled.get(settings);
  if (!rules) {
    rules = compileRules(settings);
    compiled.set(settings, rules);
  }
  return rules;
}

function compileRules(settings: IdentityTypeSettings): IdentityTypeRules {
  const known = new Set([...BUILTIN_TYPE_NAMES, ...settings.custom]);
  const patterns = new Map<string, RegExp>();
  for (const [type, source] of Object.entries(settings.patterns)) patterns.set(type, wholeValuePattern(source));
  const listed = [...known];
  return {
    settings,
    isKnown: (type) => known.has(type),
    valueProblem: (type, value) => {
      const re = patterns.get(type);
      if (!re || re.test(value)) return undefined;
      const source = settings.patterns[type]!;
      const hint = type === 'phone' && source === DEFAULT_PHONE_PATTERN ? 'digits only, with an optional leading + (e.g. "13800000001"); no spaces, dashes or letters' : `a value matching ${source}`;
      return `${type} "${value}" does not match the pattern of ${type} (${source}): write ${hint}; identityTypes.patterns.${type} in the config sets the pattern`;
    },
    suggest: (type) => suggestType(type, listed),
    unknownTypeMessage: (type) => {
      const hint = suggestType(type, listed);
      return (
        `unknown identity type "${type}"${hint ? ` (did you mean "${hint}"?)` : ''}: use a built-in type (${BUILTIN_TYPE_NAMES.join(', ')})` +
        `${settings.custom.length > 0 ? `, a declared one (${settings.custom.join(', ')})` : ''}, or declare the tenant's own type under identityTypes.custom in the config (as configured on the platform under 用户 → 身份类型管理)`
      );
    },
  };
}

/** A pattern from the config as a regular expression over the whole value (Unicode mode). */
export function wholeValuePattern(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'u');
}

/** The known type a mistyped one probably means: a close spelling, any case, or a common synonym. */
function suggestType(type: string, known: readonly string[]): string | undefined {
  const lower = type.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const synonym = Object.hasOwn(SYNONYMS, lower) ? SYNONYMS[lower] : undefined;
  if (synonym !== undefined && known.includes(synonym)) return synonym;
  return closest(type, known);
}
