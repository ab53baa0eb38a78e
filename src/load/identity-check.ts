import type { Identity } from '../core/model.js';
import { identityTextProblem, isCleanIdentityText, trimBlanks } from './identity-text.js';
import type { IdentityTypeRules } from './identity-types.js';

/** The field of an identity a problem is about (where a reader points at it). */
export type IdentityField = 'type' | 'value' | 'platform' | 'appid';

/** A rule an identity breaks, at one of its fields; `sensitive` lists the values the message quotes. */
export interface IdentityProblem {
  readonly field: IdentityField;
  readonly message: string;
  readonly sensitive?: readonly string[];
}

/** The optional fields of an identity as written (shorthand member, full-form identity or CSV row). */
export interface IdentityFields {
  readonly platform?: unknown;
  readonly appid?: unknown;
  readonly isWeChatEcosystem?: unknown;
}

/**
 * An identity from the text as written: the value, platform and appid without the spaces and tabs
 * around them (other white space stays, for identityProblems to refuse); fields that are not text
 * (or a boolean, for isWeChatEcosystem) are left out, the schema reports them.
 */
export function buildIdentity(type: string, value: string, fields: IdentityFields): Identity {
  const id: { -readonly [K in keyof Identity]: Identity[K] } = { type, value: trimBlanks(value) };
  if (typeof fields.platform === 'string') id.platform = trimBlanks(fields.platform);
  if (typeof fields.appid === 'string') id.appid = trimBlanks(fields.appid);
  if (typeof fields.isWeChatEcosystem === 'boolean') id.isWeChatEcosystem = fields.isWeChatEcosystem;
  return id;
}

/**
 * What keeps an identity from being sent as written: a type that is neither built in nor declared,
 * control or invisible characters, a value that breaks its type's pattern, a blank platform or appid.
 * The same rules for group files (either reader) and CSV member lists. A blank value is the
 * schema's (or the CSV reader's) to report.
 */
export function identityProblems(id: Identity, rules: IdentityTypeRules): IdentityProblem[] {
  const problems: IdentityProblem[] = [];
  const known = rules.isKnown(id.type);
  if (!known) problems.push({ field: 'type', message: rules.unknownTypeMessage(id.type) });
  const text = identityTextProblem(`the ${id.type} value`, id.value);
  if (text !== undefined) problems.push({ field: 'value', message: text });
  else if (known) {
    const pattern = rules.valueProblem(id.type, id.value);
    if (pattern !== undefined) problems.push({ field: 'value', message: pattern, sensitive: [id.value] });
  }
  for (const field of ['platform', 'appid'] as const) {
    const value = id[field];
    if (value === undefined) continue;
    const problem = value === '' ? `${field} is blank: write the ${field}, or remove it` : identityTextProblem(`the ${field} of ${id.type}`, value);
    if (problem !== undefined) problems.push({ field, message: problem });
  }
  return problems;
}

/** True when identityProblems finds nothing: the fast reader's check, which only needs to know. */
export function isSendableIdentity(id: Identity, rules: IdentityTypeRules): boolean {
  if (!rules.isKnown(id.type) || !isCleanIdentityText(id.value) || rules.valueProblem(id.type, id.value) !== undefined) return false;
  if (id.platform !== undefined && (id.platform === '' || !isCleanIdentityText(id.platform))) return false;
  return id.appid === undefined || (id.appid !== '' && isCleanIdentityText(id.appid));
}
