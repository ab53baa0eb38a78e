import { setTimeout as sleep } from 'node:timers/promises';
import ky from 'ky';
import type { CallSettings } from './call-settings.js';
import { readEnvelope, type Envelope } from './envelope.js';
import { AnswerFailure, answerFailure, CANCELLED, failureToError, thrownFailure, type Failure } from './failure.js';
import { parseLossless } from './lossless-json.js';
import { retryAfterDelay, retryWait } from './retry-delay.js';

export type { CallSettings } from './call-settings.js';

/** An acknowledged answer: HTTP 2xx, code "200" and errorCode SUCCESS. */
export interface EnvelopeAnswer {
  readonly status: number;
  readonly envelope: Envelope;
  readonly attempts: number;
}

/**
 * POSTs a JSON body (sent as it is, UTF-8, by every attempt) through ky and resolves
 * with the acknowledging envelope. Network errors, timeouts, 408, 429, 5xx (as the HTTP status or
 * as the code of a 2xx envelope), busy errorCodes and malformed 2xx bodies are retried with
 * exponential backoff and jitter, or after the server's Retry-After; anything else, or the last
 * failure, rejects with an ApiError that holds no secret.
 *
 * How ky is used: its `fetch` is one attempt, which sends over the client's undici dispatcher
 * (keep-alive, proxy), reads the whole answer and judges it, throwing an AnswerFailure for
 * anything but an acknowledgement. So ky's timeout covers the answer's body as well as its
 * headers, and ky's retry (limit, shouldRetry) decides on failed answers and lost connections
 * alike; shouldRetry plans each wait (Retry-After or backoff), reports it before it starts, and
 * waits it out itself.
 *
 * Aborting `signal` cancels the call between attempts: a wait for a retry ends at once and no
 * further attempt starts (an ApiError of kind aborted), while an attempt in flight is left to
 * finish, so that an answer the server sent is not lost. That is why ky never gets the caller's
 * signal: on its Request it would cut the attempt in flight.
 */
export async function postEnvelope(settings: CallSettings, body: string | Uint8Array, signal?: AbortSignal): Promise<EnvelopeAnswer> {
  if (signal?.aborted) throw failureToError(CANCELLED, settings, 0);
  let attempts = 0;
  let answer: EnvelopeAnswer | undefined;

  // ky always passes the Request it built (with its timeout's signal); the type admits more.
  const attempt = async (request: Request | URL | string): Promise<Response> => {
    attempts += 1;
    // The body goes to undici as it is: in ky's Request it would be a web stream, copied for every attempt.
    const raw = await settings.dispatcher.request({
      origin: settings.origin,
      path: settings.path,
      method: 'POST',
      headers: settings.headers,
      body,
      ...(request instanceof Request ? { signal: request.signal } : {}),
    });
    const text = await raw.body.text();
    const envelope = envelopeOf(text);
    const failure = answerFailure(
      { status: raw.statusCode, envelope, retryAfter: headerText(raw.headers, 'retry-after'), location: headerText(raw.headers, 'location') },
      settings.redact,
      settings.url,
    );
    if (failure) throw new AnswerFailure(failure);
    answer = { status: raw.statusCode, envelope: envelope!, attempts };
    return new Response(null, { status: raw.statusCode });
  };

  try {
    await ky.post(settings.url, {
      fetch: attempt,
      timeout: settings.timeoutMs,
      retry: {
        limit: settings.retries,
        methods: ['post'],
        // Decides, reports and waits: the wait ends at once when the caller aborts, which ky's own
        // wait could only do with the caller's signal on the request too (cutting it off in flight).
        shouldRetry: async ({ error, retryCount }) => {
          const failure = thrownFailure(error, settings.redact, settings.timeoutMs);
          // A failure that would be retried is not, after a cancel; one that would not (a 401) is reported as it is.
          if (!failure.retryable || signal?.aborted) return false;
          const delayMs = planRetry(settings, failure, retryCount);
          try {
            await sleep(delayMs, undefined, signal ? { signal } : {});
          } catch {
            return false;
          }
          return true;
        },
        delay: () => 0,
      },
    });
    return answer!;
  } catch (error) {
    const failure = thrownFailure(error, settings.redact, settings.timeoutMs);
    throw failureToError(signal?.aborted && failure.retryable ? CANCELLED : failure, settings, attempts);
  }
}

/** The wait before the next attempt (backoff or Retry-After), reported before it starts. */
function planRetry(settings: CallSettings, failure: Failure, retry: number): number {
  const header = failure.retryAfter ?? null;
  const fromServer = retryAfterDelay(header, settings.now(), settings.retryMaxMs);
  // A Retry-After of 0 or in the past gets the backoff instead of no wait at all (see retryWait).
  const delayMs = retryWait(fromServer, retry, settings.retryBaseMs, settings.retryMaxMs, settings.random);
  const reason = fromServer === undefined ? failure.summary : `${failure.summary}, Retry-After ${settings.redact(header ?? '')}${fromServer === 0 ? ' (already due: backing off)' : ''}`;
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

function headerText(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : null;
}
