import { ApiError } from '../errors/index.js';
import type { CallSettings } from './call-settings.js';
import { batchIdOf } from './envelope.js';
import type { EnvelopeAnswer } from './post-envelope.js';

/** The fields every ApiError about one answer shares. */
export function answerBase(settings: CallSettings, answer: EnvelopeAnswer): { endpoint: string; status: number; attempts: number } {
  return { endpoint: settings.endpoint, status: answer.status, attempts: answer.attempts };
}

/**
 * The import batch ID of an acknowledged v1/v2 answer (exact decimal text), or the ApiError of one
 * without a positive batch ID: an answer that names no batch acknowledges nothing that could be recorded.
 */
export function requireBatchId(settings: CallSettings, answer: EnvelopeAnswer): string {
  const batchId = batchIdOf(answer.envelope.data);
  if (batchId === undefined) {
    throw new ApiError({
      ...answerBase(settings, answer),
      kind: 'malformed',
      summary: 'errorCode SUCCESS but data is not a batch ID (a positive decimal integer); nothing of this request is recorded',
      retryable: false,
    });
  }
  return batchId;
}
