import { isHTTPError } from 'ky';
import { ApiError, InternalError, type ApiFailureKind } from '../errors/index.js';
import type { Envelope } from './envelope.js';
import { hintFor, retryLaterHint } from './hints.js';
import { redactSecret } from './redact.js';

/** What one attempt received, kept so that failures can quote the server's errorCode and msg. */
export interface Answer {
  readonly status: number;
  readonly envelope: Envelope | undefined;
  readonly retryAfter: string | null;
}

/** Thrown for a 2xx answer whose body is not the JSON envelope (a proxy page, a cut-off body). */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

/**
 * Thrown for a 2xx answer whose envelope code says the server is busy or failing (e.g. HTTP 200
 * with code "503", errorCode SYSTEM_BUSY), so that it is retried like that HTTP status would be.
 */
export class BusyAnswerError extends Error {
  override readonly name = 'BusyAnswerError';
}

/** One failed attempt, described without any library object (those can hold the request and its token). */
export interface Failure {
  readonly kind: ApiFailureKind | 'unexpected';
  readonly summary: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly envelope?: Envelope;
  readonly retryAfter?: string | null;
}

/** What the classifier needs to know about the attempt that failed. */
export interface AttemptState {
  readonly callerSignal: AbortSignal | undefined;
  readonly deadline: AbortSignal | undefined;
  readonly answer: Answer | undefined;
  readonly timeoutMs: number;
  readonly token: string;
}

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

/** Classifies what ky threw for one attempt. Batches are idempotent, so POST is retried like GET. */
export function classifyFailure(error: unknown, state: AttemptState): Failure {
  if (state.callerSignal?.aborted) return { kind: 'aborted', summary: 'cancelled by the caller', retryable: false };
  if (state.deadline?.aborted) return { kind: 'timeout', summary: `no complete answer within ${state.timeoutMs} ms`, retryable: true };
  if (isHTTPError(error)) {
    const status = error.response.status;
    const answer = state.answer?.status === status ? state.answer : undefined;
    return {
      kind: 'http',
      summary: status >= 300 && status < 400 ? `HTTP ${status} redirect to ${redactSecret(error.response.headers.get('location') ?? '(no location)', state.token)}` : `HTTP ${status}`,
      retryable: isRetryableStatus(status),
      status,
      ...(answer?.envelope ? { envelope: answer.envelope } : {}),
      retryAfter: answer?.retryAfter ?? error.response.headers.get('retry-after'),
    };
  }
  if (error instanceof BusyAnswerError && state.answer?.envelope) {
    // Resending is safe for the same reason as after a malformed answer below.
    const { status, envelope, retryAfter } = state.answer;
    return { kind: 'rejected', summary: `HTTP ${status} with code "${redactSecret(envelope.code, state.token)}"`, retryable: true, status, envelope, retryAfter };
  }
  if (error instanceof MalformedAnswerError) {
    // Safe to resend even if the server applied the batch first: an add of a present membership and
    // a delete of an absent one change nothing.
    return { kind: 'malformed', summary: `HTTP ${state.answer?.status ?? 'status unknown'} with a body that is not the JSON envelope`, retryable: true, ...(state.answer ? { status: state.answer.status } : {}) };
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return { kind: 'network', summary: `connection failed (${redactSecret(causeText(error), state.token)})`, retryable: true };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'unexpected', summary: redactSecret(text, state.token), retryable: false };
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

/** "UND_ERR_SOCKET: other side closed", "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9". */
function causeText(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const parts = [cause?.code, cause?.message].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(': ') : error.message;
}
