import type { Identity } from './model.js';
import { maskValue } from './render/mask.js';

/**
 * What `groupops explain` looks for: an identity value as written, a member key as the plan prints
 * it (`phone 13900000000`, also `phone:…` or `phone=…`, with the plan's `(platform gzh, appid …)`
 * and the line's `+`/`-`/`~` sign), an identity as the JSON plan prints it
 * (`{"type":"phone","value":"…"}` or a whole `{"identities":[…]}`, whose first identity is the key),
 * or a masked value from a PR comment (`139****0000`).
 */
export interface MemberQuery {
  /** The query as given, trimmed. */
  readonly text: string;
  /** An identity matches the query when it matches any of these. */
  readonly patterns: readonly IdentityPattern[];
}

/** One reading of the query: a value, optionally with the identity's type, platform and appid. */
export interface IdentityPattern {
  readonly value: string;
  readonly type?: string;
  readonly platform?: string;
  readonly appid?: string;
  /** The value is masked (`139****0000`): it matches every value that masks to it. */
  readonly masked?: boolean;
}

const TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
/** `type value`, `type:value`, `type=value`. */
const TYPED = /^([A-Za-z][A-Za-z0-9_]*)(?:\s*[:=]\s*|\s+)(\S.*)$/s;
/** The plan's `(platform gzh, appid wx…, WeChat ecosystem)` after a value. */
const EXTRAS = /^(.*?)\s+\(((?:platform|appid|WeChat ecosystem|not WeChat ecosystem)[^()]*)\)$/s;

/** Reads a query; undefined when it is empty. */
export function parseMemberQuery(input: string): MemberQuery | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  const patterns: IdentityPattern[] = [valuePattern(text)];
  const json = jsonIdentity(text);
  if (json) patterns.push(json);
  // A line copied from the plan: its sign, then the member's identities joined by " + " (the first is the key).
  const line = text
    .replace(/^[+\-~]\s+/, '')
    .split(' + ')[0]!
    .trim();
  const typed = TYPED.exec(line);
  if (typed && TYPE.test(typed[1]!)) {
    const [, type, rest] = typed as unknown as [string, string, string];
    const extras = EXTRAS.exec(rest.trim());
    const value = (extras ? extras[1]! : rest).trim();
    const fields = extras ? extrasOf(extras[2]!) : {};
    if (value !== '') patterns.push({ ...valuePattern(value), type, ...fields });
  }
  return { text, patterns };
}

/** Whether an identity matches the query. */
export function matchesQuery(identity: Identity, query: MemberQuery): boolean {
  for (const p of query.patterns) if (matchesPattern(identity, p)) return true;
  return false;
}

/** Whether any identity of a member matches the query. */
export function memberMatches(identities: readonly Identity[], query: MemberQuery): boolean {
  for (const id of identities) if (matchesQuery(id, query)) return true;
  return false;
}

function matchesPattern(id: Identity, p: IdentityPattern): boolean {
  if (p.type !== undefined && id.type !== p.type) return false;
  if (p.platform !== undefined && id.platform !== p.platform) return false;
  if (p.appid !== undefined && id.appid !== p.appid) return false;
  if (!p.masked) return id.value === p.value;
  // The ends the mask keeps rule out nearly every value before the value is masked.
  const stars = p.value.indexOf('****');
  return id.value.startsWith(p.value.slice(0, stars)) && id.value.endsWith(p.value.slice(stars + 4)) && maskValue(id.value) === p.value;
}

function valuePattern(value: string): IdentityPattern {
  // Four stars alone are every short value: that is no query.
  return /\*{4}/.test(value) && value !== '****' ? { value, masked: true } : { value };
}

function extrasOf(list: string): { platform?: string; appid?: string } {
  const out: { platform?: string; appid?: string } = {};
  for (const part of list.split(',').map((p) => p.trim())) {
    if (part.startsWith('platform ')) out.platform = part.slice('platform '.length).trim();
    else if (part.startsWith('appid ')) out.appid = part.slice('appid '.length).trim();
  }
  return out;
}

/** `{"type":…,"value":…}` or `{"identities":[…]}` (its first identity, the key), as the JSON plan prints them. */
function jsonIdentity(text: string): IdentityPattern | undefined {
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const obj = parsed as { identities?: unknown; type?: unknown; value?: unknown; platform?: unknown; appid?: unknown };
  const id = (Array.isArray(obj.identities) ? obj.identities[0] : obj) as typeof obj | undefined;
  if (!id || typeof id.type !== 'string' || typeof id.value !== 'string' || id.value.trim() === '') return undefined;
  return {
    ...valuePattern(id.value.trim()),
    type: id.type,
    ...(typeof id.platform === 'string' ? { platform: id.platform } : {}),
    ...(typeof id.appid === 'string' ? { appid: id.appid } : {}),
  };
}
