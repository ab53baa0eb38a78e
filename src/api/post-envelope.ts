import { setTimeout as sleep } from 'node:timers/promises';
import { readEnvelope, type Envelope } from './envelope.js';
import { answerFailure, CANCELLED, failureToError, thrownFailure, type Failure } from './failure.js';
import type { RawAnswer, Transport } from './http-transport.js';
import { parseLossless } from './lossless-json.js';
import { retryAfterDelay, retryWait } from './retry-delay.js';

/** Everything one endpoint call needs; built once per client. */
export interface CallSettings {
  readonly endpoint: string;
  readonly token: string;
  /** Sends one attempt (headers, keep-alive connections and the per-attempt deadline are fixed per client). */
  readonly transport: Transport;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly onRetry: ((info: { attempt: number; delayMs: number; reason: string }) => void) | undefined;
  readonly random: () => number;
  readonly now: () => number;
}

/** A 2xx answer with a JSON envelope (its code may still say the call failed). */
export interface EnvelopeAnswer {
  readonly status: number;
  readonly envelope: Envelope;
  readonly attempts: number;
}

/**
 * POSTs a JSON body (its UTF-8 bytes, sent as they are by every attempt) and resolves with the 2xx envelope. Network errors, timeouts, 408,
 * 429, 5xx (as the HTTP status or as the code of a 2xx envelope) and malformed 2xx bodies are
 * retried with exponential backoff and jitter, or after the server's Retry-After; anything else, or
 * the last failure, rejects with an ApiError that holds no token.
 * Aborting `signal` cancels the call between attempts: a wait for a retry ends at once and no
 * further attempt starts (an ApiError of kind aborted), while an attempt in flight is left to
 * finish, so that an answer the server sent is not lost.
 */
export async function postEnvelope(settings: CallSettings, body: Buffer, signal?: AbortSignal): Promise<EnvelopeAnswer> {
  let attempts = 0;
  for (;;) {
    if (signal?.aborted) throw failureToError(CANCELLED, settings.endpoint, attempts, settings.token);
    attempts += 1;
    let failure: Failure;
    try {
      const raw = await settings.transport.post(body);
      const envelope = envelopeOf(raw.text);
      const answered = answerFailure({ status: raw.status, envelope, retryAfter: headerText(raw, 'retry-after'), location: headerText(raw, 'location') }, settings.token);
      if (answered === undefined) return { status: raw.status, envelope: envelope!, attempts };
      failure = answered;
    } catch (error) {
      failure = thrownFailure(error, settings.token);
    }
    // A failure that would be retried is not, after a cancel; one that would not (a 401) is reported as it is.
    if (signal?.aborted && failure.retryable) failure = CANCELLED;
    if (!failure.retryable || attempts > settings.retries) throw failureToError(failure, settings.endpoint, attempts, settings.token);
    const delayMs = planRetry(settings, failure, attempts);
    try {
      await sleep(delayMs, undefined, signal ? { signal } : {});
    } catch {
      throw failureToError(CANCELLED, settings.endpoint, attempts, settings.token);
    }
  }
}

/** The wait before the next attempt (backoff or Retry-After), reported before it starts. */
function planRetry(settings: CallSettings, failure: Failure, retry: number): number {
  const header = failure.retryAfter ?? null;
  const fromServer = retryAfterDelay(header, settings.now(), settings.retryMaxMs);
  // A Retry-After of 0 or in the past gets the backoff instead of no wait at all (see retryWait).
  const delayMs = retryWait(fromServer, retry, settings.retryBaseMs, settings.retryMaxMs, settings.random);
  const reason = fromServer === undefined ? failure.summary : `${failure.summary}, Retry-After ${header ?? ''}${fromServer === 0 ? ' (already due: backing off)' : ''}`;
  settings.onRetry?.({ attempt: retry + 1, delayMs, reason });
  return delayMs;
}

/** Every answer's body is read (errors quote errorCode and msg); undefined when it is not the envelope. */
function envelopeOf(text: string): Envelope | undefined {
  try {
    return readEnvelope(parseLossless(text));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function headerText(raw: RawAnswer, name: string): string | null {
  const value = raw.headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : null;
}
