import { isLosslessNumber } from 'lossless-json';
import { isLongDigits } from '../core/json-text.js';

/** The response envelope every endpoint answers with: `{ code, errorCode, msg, data }`. */
export interface Envelope {
  /** A string in the documented API; a numeric code is read as its digits. */
  readonly code: string;
  readonly errorCode: string | undefined;
  readonly msg: string | undefined;
  readonly data: unknown;
}

/** Reads the envelope out of a losslessly parsed body, or undefined when the body is not one. */
export function readEnvelope(body: unknown): Envelope | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const code = scalarText(record.code);
  if (code === undefined) return undefined;
  return { code, errorCode: scalarText(record.errorCode), msg: scalarText(record.msg), data: record.data };
}

/**
 * Whether the envelope acknowledges the request (rabbitpre-api.md): code "200" and errorCode
 * "SUCCESS", compared case-insensitively. An absent errorCode is not success: an envelope that
 * does not say SUCCESS has not said the request was taken, and recording it would claim
 * memberships that nothing will ever resend.
 */
export function isAcknowledged(envelope: Envelope): boolean {
  return envelope.code === '200' && envelope.errorCode !== undefined && envelope.errorCode.toUpperCase() === 'SUCCESS';
}

/**
 * The import batch ID as an exact decimal string, or undefined when `data` is not one: a positive
 * integer (0 names no batch). The API documents a long; a decimal string is accepted too, since
 * some gateways quote longs.
 */
export function batchIdOf(data: unknown): string | undefined {
  const text = isLosslessNumber(data) ? data.toString() : typeof data === 'string' ? data : undefined;
  return text !== undefined && text !== '0' && isLongDigits(text) ? text : undefined;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isLosslessNumber(value)) return value.toString();
  return undefined;
}
