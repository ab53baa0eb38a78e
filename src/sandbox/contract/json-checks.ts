import { isLosslessNumber } from 'lossless-json';

/** A contract violation: the first one found, as the API reports one message per call. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  readonly errorCode: string;

  constructor(errorCode: string, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

/** Throws a PARAM_ERROR violation. */
export function violate(message: string): never {
  throw new ContractViolation('PARAM_ERROR', message);
}

/** A JSON object (not an array, null or a LosslessNumber). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}

/** The JSON type of a losslessly parsed value, for messages. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isLosslessNumber(value)) return `the number ${value.toString()}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Rejects fields the contract does not define: a typo must not pass silently. */
export function onlyKeys(record: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) violate(`${at}.${key} is not a field of this endpoint (allowed: ${allowed.join(', ')})`);
  }
}

/** A required object. */
export function objectAt(value: unknown, at: string): Record<string, unknown> {
  if (!isRecord(value)) violate(`${at} must be an object, got ${value === undefined ? 'nothing' : jsonType(value)}`);
  return value;
}

/** An optional string that, when present, has non-blank text. */
export function optionalText(record: Record<string, unknown>, key: string, at: string): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') violate(`${at}.${key} must be a string, got ${jsonType(value)}`);
  if (value.trim() === '') violate(`${at}.${key} must not be empty`);
  return value;
}

/** A required string with non-blank text. */
export function requiredText(record: Record<string, unknown>, key: string, at: string): string {
  const value = optionalText(record, key, at);
  if (value === undefined) violate(`${at}.${key} is required`);
  return value;
}

/** An optional integer parameter that is 1 or 2 (matchingType, identifyWay). */
export function readOneOrTwo(value: unknown, at: string, meaning: string): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (isLosslessNumber(value) && (value.toString() === '1' || value.toString() === '2')) return value.toString() === '1' ? 1 : 2;
  return violate(`${at} must be the integer ${meaning}, got ${jsonType(value)}`);
}
