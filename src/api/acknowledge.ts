import { ApiError } from '../errors/index.js';
import { batchIdOf, isSuccessCode } from './envelope.js';
import { hintFor } from './hints.js';
import type { CallSettings, EnvelopeAnswer } from './post-envelope.js';
import { redactSecret } from './redact.js';

/** The fields every ApiError about one answer shares. */
export function answerBase(settings: CallSettings, answer: EnvelopeAnswer): { endpoint: string; status: number; attempts: number } {
  return { endpoint: settings.endpoint, status: answer.status, attempts: answer.attempts };
}

/**
 * Throws the ApiError of an answer whose envelope does not report success (HTTP 2xx with a code
 * other than "200"), quoting errorCode and msg with any echo of the token removed.
 */
export function requireSuccess(settings: CallSettings, answer: EnvelopeAnswer): void {
  const { envelope, status } = answer;
  if (isSuccessCode(envelope)) return;
  const errorCode = envelope.errorCode === undefined ? {} : { errorCode: redactSecret(envelope.errorCode, settings.token) };
  const msg = envelope.msg === undefined ? {} : { msg: redactSecret(envelope.msg, settings.token) };
  const hint = hintFor(undefined, envelope.code);
  throw new ApiError({
    ...answerBase(settings, answer),
    kind: 'rejected',
    summary: `HTTP ${status} with code "${redactSecret(envelope.code, settings.token)}"`,
    ...errorCode,
    ...msg,
    retryable: false,
    ...(hint ? { hint } : {}),
  });
}

/** The import batch ID of a successful v1/v2 answer (exact decimal text), or the ApiError of an answer without one. */
export function requireBatchId(settings: CallSettings, answer: EnvelopeAnswer): string {
  requireSuccess(settings, answer);
  const batchId = batchIdOf(answer.envelope.data);
  if (batchId === undefined) {
    throw new ApiError({ ...answerBase(settings, answer), kind: 'malformed', summary: 'code "200" but data is not a batch ID (a decimal integer)', retryable: false });
  }
  return batchId;
}
