import { ApiError, InternalError, type ApiFailureKind } from '../errors/index.js';
import type { Envelope } from './envelope.js';
import { hintFor, retryLaterHint } from './hints.js';
import { AttemptTimeoutError, ConnectionError } from './http-transport.js';
import { redactSecret } from './redact.js';

/** One failed attempt, described without any library object (those can hold the request and its token). */
export interface Failure {
  readonly kind: ApiFailureKind | 'unexpected';
  readonly summary: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly envelope?: Envelope;
  readonly retryAfter?: string | null;
}

/** The failure of a call the caller cancelled (between attempts, or an answer that came after the cancel). */
export const CANCELLED: Failure = { kind: 'aborted', summary: 'cancelled by the caller', retryable: false };

/**
 * Statuses worth another attempt: request timeout, rate limiting and server errors. 501 and 505
 * say the server will never handle this request; 4xx are the request's own fault.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * Whether an envelope code reports a failure worth another attempt, by the same rule as the HTTP
 * status (the API reports some failures as HTTP 200 with the status as its code). The call still
 * succeeds only on HTTP 2xx with code "200".
 */
export function isRetryableCode(code: string): boolean {
  return /^[1-9]\d{2}$/.test(code) && isRetryableStatus(Number(code));
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
 * The failure an answer stands for, or undefined for a 2xx envelope (whose code may still reject
 * the call: the caller decides). Batches are idempotent, so POST is retried like GET.
 */
export function answerFailure(answer: AnswerFacts, token: string): Failure | undefined {
  const { status, envelope, retryAfter } = answer;
  if (status < 200 || status > 299) {
    return {
      kind: 'http',
      summary: status >= 300 && status < 400 ? `HTTP ${status} redirect to ${redactSecret(answer.location ?? '(no location)', token)}` : `HTTP ${status}`,
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
  if (isRetryableCode(envelope.code)) {
    // Resending is safe for the same reason as after a malformed answer.
    return { kind: 'rejected', summary: `HTTP ${status} with code "${redactSecret(envelope.code, token)}"`, retryable: true, status, envelope, retryAfter };
  }
  return undefined;
}

/** The failure of an attempt that got no answer: a timeout, a broken connection, or a bug (not retried). */
export function thrownFailure(error: unknown, token: string): Failure {
  if (error instanceof AttemptTimeoutError) return { kind: 'timeout', summary: error.message, retryable: true };
  if (error instanceof ConnectionError) return { kind: 'network', summary: `connection failed (${redactSecret(error.detail, token)})`, retryable: true };
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'unexpected', summary: redactSecret(text, token), retryable: false };
}

/** The error a caller sees once the retries are spent (or a failure is not worth retrying). */
export function failureToError(failure: Failure, endpoint: string, attempts: number, token: string): Error {
  if (failure.kind === 'unexpected') return new InternalError(`calling ${endpoint}: ${failure.summary}`);
  const envelope = failure.envelope;
  return new ApiError({
    kind: failure.kind,
    endpoint,
    summary: failure.summary,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(envelope?.errorCode !== undefined ? { errorCode: redactSecret(envelope.errorCode, token) } : {}),
    ...(envelope?.msg !== undefined ? { msg: redactSecret(envelope.msg, token) } : {}),
    retryable: failure.retryable || failure.kind === 'aborted',
    attempts,
    ...hintField(failure),
  });
}

function hintField(failure: Failure): { hint?: string } {
  if (failure.kind === 'aborted') return {};
  if (failure.retryable) return { hint: retryLaterHint(failure.status, failure.envelope?.code) };
  const hint = hintFor(failure.status, failure.envelope?.code);
  return hint ? { hint } : {};
}
