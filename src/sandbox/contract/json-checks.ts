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
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were described above; what is left is a primitive (or a function)
  return `${typeof value} ${String(value)}`;
}

/** Rejects fields the contract does not define: a typo must not pass silently. */
export function onlyKeys(record: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) violate(`${at}.${key} is not a field of this endpoint (allowed: ${allowed.join(', ')})`);
  }
}

/**
 * Whether onlyKeys would pass the record, told without building its key list or a path: the
 * check of the thousands of objects in a valid request (onlyKeys then words a violation).
 */
export function hasOnlyKeys(record: Record<string, unknown>, allowed: readonly string[]): boolean {
  // for...in also yields inherited enumerable keys: a false alarm there only sends the record to onlyKeys.
  for (const key in record) if (!allowed.includes(key)) return false;
  return true;
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

/** A call's result: the checked request, or the first violation as the API would report it. */
export type ContractCheck<T> = { ok: true; request: T; warnings: string[] } | { ok: false; errorCode: string; msg: string };

/** Runs a contract check, turning the first violation into the API's failure answer. */
export function checkContract<T>(check: (warnings: string[]) => T): ContractCheck<T> {
  const warnings: string[] = [];
  try {
    return { ok: true, request: check(warnings), warnings };
  } catch (err) {
    if (err instanceof ContractViolation) return { ok: false, errorCode: err.errorCode, msg: err.message };
    throw err;
  }
}

/**
 * The envelope every import endpoint shares: `{ publicParams, data }` with only the given
 * publicParams fields, and 1..maxItems data items.
 */
export function readImportBody(body: unknown, publicParamsKeys: readonly string[], maxItems: number): { params: Record<string, unknown>; data: unknown[] } {
  const root = objectAt(body, 'body');
  onlyKeys(root, ['publicParams', 'data'], 'body');
  const params = objectAt(root.publicParams, 'publicParams');
  onlyKeys(params, publicParamsKeys, 'publicParams');
  const data = root.data;
  if (!Array.isArray(data)) violate(`data must be an array, got ${data === undefined ? 'nothing' : jsonType(data)}`);
  if (data.length === 0) violate('data must hold at least one item');
  if (data.length > maxItems) throw new ContractViolation('DATA_LIMIT_EXCEEDED', `data holds ${data.length} items; at most ${maxItems} per call`);
  return { params, data };
}

/** publicParams.optType as the user-group endpoints take it: the string "add" or "delete". */
export function readOptTypeString(value: unknown): 'add' | 'delete' {
  if (value !== 'add' && value !== 'delete') violate(`publicParams.optType must be "add" or "delete", got ${value === undefined ? 'nothing' : jsonType(value)}`);
  return value;
}

/** The matching settings v1 and the customer endpoint share: isMatching required, identifyWay required for fuzzy. */
export function readMatching(params: Record<string, unknown>, warnings: string[]): { isMatching: boolean; matchingType?: 1 | 2; identifyWay?: 1 | 2 } {
  const isMatching = params.isMatching;
  if (typeof isMatching !== 'boolean') violate(`publicParams.isMatching is required and must be a boolean, got ${isMatching === undefined ? 'nothing' : jsonType(isMatching)}`);
  const matchingType = readOneOrTwo(params.matchingType, 'publicParams.matchingType', '1 (exact) or 2 (fuzzy)');
  const identifyWay = readOneOrTwo(params.identifyWay, 'publicParams.identifyWay', '1 or 2');
  if (matchingType === 2 && identifyWay === undefined) violate('publicParams.identifyWay is required for fuzzy matching (matchingType 2)');
  if (matchingType === 1 && identifyWay !== undefined) warnings.push('publicParams.identifyWay is for fuzzy matching; exact matching ignores it');
  return { isMatching, ...(matchingType !== undefined ? { matchingType } : {}), ...(identifyWay !== undefined ? { identifyWay } : {}) };
}
