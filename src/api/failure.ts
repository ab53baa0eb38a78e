import { TimeoutError } from 'ky';
import { ApiError, InternalError, type ApiFailureKind } from '../errors/index.js';
import { isAcknowledged, type Envelope } from './envelope.js';
import { hintFor, networkHint, retryLaterHint, type Reach } from './hints.js';
import type { Redact } from './redact.js';
import { shownUrl } from './endpoint-url.js';

/** One failed attempt, described without any library object (those can hold the request and its token). */
export interface Failure {
  readonly kind: ApiFailureKind | 'unexpected';
  /** Free of secrets (the token, a hidden path of the base URL). */
  readonly summary: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly envelope?: Envelope;
  readonly retryAfter?: string | null;
  /** A failed connection's system error code (ECONNREFUSED, ENOTFOUND ...), for the hint. */
  readonly errno?: string;
}

/** The failure of a call the caller cancelled (between attempts, or an answer that came after the cancel). */
export const CANCELLED: Failure = { kind: 'aborted', summary: 'cancelled by the caller', retryable: false };

/**
 * An attempt whose answer is not an acknowledgement, thrown out of the fetch ky calls so that
 * ky's retry decides on it like on a lost connection (see post-envelope.ts).
 */
export class AnswerFailure extends Error {
  override readonly name = 'AnswerFailure';
  readonly failure: Failure;

  constructor(failure: Failure) {
    super(failure.summary);
    this.failure = failure;
  }
}

/**
 * Statuses worth another attempt: request timeout, rate limiting and server errors. 501 and 505
 * say the server will never handle this request; 4xx are the request's own fault.
 */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * Whether an envelope code reports a failure worth another attempt, by the same rule as the HTTP
 * status (the API reports some failures as HTTP 200 with the status as its code).
 */
function isRetryableCode(code: string): boolean {
  return /^[1-9]\d{2}$/.test(code) && isRetryableStatus(Number(code));
}

/**
 * errorCodes that name a passing condition of the server rather than anything about the request:
 * SYSTEM_BUSY, TOO_MANY_REQUESTS, RATE_LIMIT(ED), THROTTLED, TIMEOUT, SERVICE_UNAVAILABLE, TRY_AGAIN ...
 */
const TRANSIENT_ERROR_CODE = /BUSY|TOO_MANY|RATE_?LIMIT|THROTTL|TIME_?OUT|TIMED_?OUT|UNAVAILABLE|TRY_?AGAIN|RETRY/i;

/**
 * Whether an envelope that is not an acknowledgement is worth another attempt: its code is a
 * retryable status (408, 429, 5xx but 501 and 505), or its code is "200" and its errorCode names
 * a busy or rate-limited server. Any other errorCode (SYSTEM_ERROR, a refused identity type ...)
 * is final: the same request would get the same answer.
 */
function isRetryableEnvelope(envelope: Envelope): boolean {
  return isRetryableCode(envelope.code) || (envelope.code === '200' && envelope.errorCode !== undefined && TRANSIENT_ERROR_CODE.test(envelope.errorCode));
}

/** What an answer said, as far as deciding on it goes. */
export interface AnswerFacts {
  readonly status: number;
  /** undefined when the body is not the JSON envelope. */
  readonly envelope: Envelope | undefined;
  readonly retryAfter: string | null;
  readonly location: string | null;
}

/**
 * The failure an answer stands for, or undefined for an acknowledgement: HTTP 2xx with code "200"
 * and errorCode SUCCESS (rabbitpre-api.md). Batches are idempotent, so POST is retried like GET.
 * `endpoint` resolves a relative redirect Location.
 */
export function answerFailure(answer: AnswerFacts, redact: Redact, endpoint: string): Failure | undefined {
  const { status, envelope, retryAfter } = answer;
  if (status < 200 || status > 299) {
    return {
      kind: 'http',
      summary: status >= 300 && status < 400 ? `HTTP ${status} redirect to ${answer.location === null ? '(no location)' : redact(shownUrl(answer.location, endpoint))}` : `HTTP ${status}`,
      retryable: isRetryableStatus(status),
      status,
      ...(envelope ? { envelope } : {}),
      retryAfter,
    };
  }
  if (envelope === undefined) {
    // Safe to resend even if the server applied the batch first: an add of a present membership and
    // a delete of an absent one change nothing.
    return { kind: 'malformed', summary: `HTTP ${status} with a body that is not the JSON envelope`, retryable: true, status };
  }
  if (isAcknowledged(envelope)) return undefined;
  // Resending after a busy answer is safe for the same reason as after a malformed one.
  return { kind: 'rejected', summary: rejectionSummary(status, envelope, redact), retryable: isRetryableEnvelope(envelope), status, envelope, retryAfter };
}

function rejectionSummary(status: number, envelope: Envelope, redact: Redact): string {
  const code = `HTTP ${status} with code "${redact(envelope.code)}"`;
  if (envelope.code !== '200') return code;
  return envelope.errorCode === undefined ? `${code} but no errorCode (not SUCCESS)` : `${code} but errorCode "${redact(envelope.errorCode)}" (not SUCCESS)`;
}

/**
 * The failure of an attempt that got no answer: the deadline passed (ky's TimeoutError), the
 * connection failed (an error with a system or undici code), or a bug (not retried).
 */
export function thrownFailure(error: unknown, redact: Redact, timeoutMs: number): Failure {
  if (error instanceof AnswerFailure) return error.failure;
  if (error instanceof TimeoutError) return { kind: 'timeout', summary: `no complete answer within ${timeoutMs} ms`, retryable: true };
  const errno = errorCode(error);
  if (errno !== undefined) {
    const e = error as { message?: unknown };
    const message = typeof e.message === 'string' && e.message !== '' ? `: ${e.message}` : '';
    return { kind: 'network', summary: `connection failed (${redact(`${errno}${message}`)})`, retryable: true, errno };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'unexpected', summary: redact(text), retryable: false };
}

/**
 * The code of a connection error: Node's system errors (ECONNREFUSED ...) and undici's
 * (UND_ERR_SOCKET ...) carry one; an AggregateError of several addresses tried carries its first's.
 */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) && inner.length > 0 ? errorCode(inner[0]) : undefined;
}

/** What the error of a failed call names: the shown endpoint and where its address came from. */
export interface FailureContext extends Reach {
  readonly endpoint: string;
  readonly redact: Redact;
}

/** The error a caller sees once the retries are spent (or a failure is not worth retrying). */
export function failureToError(failure: Failure, context: FailureContext, attempts: number): Error {
  if (failure.kind === 'unexpected') return new InternalError(`calling ${context.endpoint}: ${failure.summary}`);
  const envelope = failure.envelope;
  return new ApiError({
    kind: failure.kind,
    endpoint: context.endpoint,
    summary: failure.summary,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(envelope?.errorCode !== undefined ? { errorCode: context.redact(envelope.errorCode) } : {}),
    ...(envelope?.msg !== undefined ? { msg: context.redact(envelope.msg) } : {}),
    retryable: failure.retryable || failure.kind === 'aborted',
    attempts,
    ...hintField(failure, context),
  });
}

function hintField(failure: Failure, reach: Reach & { readonly redact: Redact }): { hint?: string } {
  if (failure.kind === 'aborted') return {};
  const errorCode = failure.envelope?.errorCode === undefined ? undefined : reach.redact(failure.envelope.errorCode);
  const hint =
    (failure.kind === 'network' ? networkHint(failure.errno, reach) : undefined) ??
    (failure.retryable ? retryLaterHint(failure.status, failure.envelope?.code, errorCode) : hintFor(failure.status, failure.envelope?.code, errorCode));
  return hint ? { hint } : {};
}
