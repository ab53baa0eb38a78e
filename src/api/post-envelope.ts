import ky, { type KyResponse } from 'ky';
import { readEnvelope, type Envelope } from './envelope.js';
import { BusyAnswerError, classifyFailure, failureToError, isRetryableCode, MalformedAnswerError, type Answer, type Failure } from './failure.js';
import { parseLossless, stringifyLossless } from './lossless-json.js';
import { retryAfterDelay, retryWait } from './retry-delay.js';

/** Everything one endpoint call needs; built once per client. */
export interface CallSettings {
  readonly endpoint: string;
  readonly token: string;
  /** Sent as User-Agent, so that the vendor can tell groupops traffic apart. */
  readonly userAgent: string;
  readonly timeoutMs: number;
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

/** The mutable state of one call across its attempts (calls run concurrently, so it is per call). */
class CallState {
  attempts = 0;
  plannedDelayMs = 0;
  answer: Answer | undefined;
  deadline: AbortSignal | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly callerSignal: AbortSignal | undefined, readonly timeoutMs: number, readonly token: string) {}

  /**
   * Starts an attempt: a fresh deadline covering the headers and the whole body. A cancelled call
   * starts none. The caller's signal is deliberately not part of the attempt's signal: a request
   * already sent may have been applied, so it runs to its answer (or deadline) and that answer is
   * returned, to be recorded; the caller's signal only ends the waits between attempts.
   */
  startAttempt(): AbortSignal {
    this.endAttempt();
    this.callerSignal?.throwIfAborted();
    this.attempts += 1;
    this.answer = undefined;
    const controller = new AbortController();
    this.#timer = setTimeout(() => controller.abort(new DOMException('attempt timed out', 'TimeoutError')), this.timeoutMs);
    this.deadline = controller.signal;
    return controller.signal;
  }

  /** Stops the deadline, so that a failure that has already arrived is not reported as a timeout. */
  endAttempt(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * POSTs a JSON body and resolves with the 2xx envelope. Network errors, timeouts, 408, 429, 5xx (as
 * the HTTP status or as the code of a 2xx envelope) and malformed 2xx bodies are retried with exponential backoff and jitter, or after the server's
 * Retry-After; anything else, or the last failure, rejects with an ApiError that holds no token.
 * Aborting `signal` cancels the call between attempts: a wait for a retry ends at once and no
 * further attempt starts (an ApiError of kind aborted), while an attempt in flight is left to
 * finish, so that an answer the server sent is not lost.
 */
export async function postEnvelope(settings: CallSettings, body: unknown, signal?: AbortSignal): Promise<EnvelopeAnswer> {
  const state = new CallState(signal, settings.timeoutMs, settings.token);
  try {
    const response = await ky.post(settings.endpoint, {
      // Encoded here rather than through ky's json option: fetch would check a string body for
      // lone surrogates character by character (toUSVString) on every request; JSON text has none.
      body: Buffer.from(stringifyLossless(body), 'utf8'),
      parseJson: parseLossless,
      headers: { 'X-Token': settings.token, accept: 'application/json', 'content-type': 'application/json', 'user-agent': settings.userAgent },
      // ky's timeout stops at the response headers; the per-attempt deadline below also covers the body.
      timeout: false,
      // fetch would forward X-Token to wherever a redirect points (only Authorization is dropped
      // across origins); a redirect is reported instead, with the URL to configure.
      redirect: 'manual',
      // ky ends its retry wait when this signal aborts; each attempt's request gets its own signal
      // (beforeRequest below), so an attempt in flight is not cut off.
      ...(signal ? { signal } : {}),
      retry: {
        limit: settings.retries,
        methods: ['post'],
        // shouldRetry decides every retry and plans its wait (backoff or Retry-After), so onRetry can
        // report the real wait before it starts; ky then waits exactly that long.
        shouldRetry: ({ error, retryCount }) => planRetry(settings, state, error, retryCount),
        delay: () => state.plannedDelayMs,
        backoffLimit: settings.retryMaxMs,
      },
      hooks: {
        beforeRequest: [(request) => new Request(request, { signal: state.startAttempt() })],
        afterResponse: [(_request, _options, response) => readAnswer(state, response)],
      },
    });
    void response.body?.cancel().catch(() => undefined);
    if (!state.answer?.envelope) throw new MalformedAnswerError('no envelope');
    return { status: state.answer.status, envelope: state.answer.envelope, attempts: state.attempts };
  } catch (error) {
    state.endAttempt();
    throw failureToError(classifyFailure(error, state), settings.endpoint, state.attempts, settings.token);
  } finally {
    state.endAttempt();
  }
}

function planRetry(settings: CallSettings, state: CallState, error: Error, retryCount: number): boolean {
  state.endAttempt();
  const failure: Failure = classifyFailure(error, state);
  if (!failure.retryable) return false;
  const header = failure.retryAfter ?? null;
  const fromServer = retryAfterDelay(header, settings.now(), settings.retryMaxMs);
  // A Retry-After of 0 or in the past gets the backoff instead of no wait at all (see retryWait).
  state.plannedDelayMs = retryWait(fromServer, retryCount, settings.retryBaseMs, settings.retryMaxMs, settings.random);
  const reason = fromServer === undefined ? failure.summary : `${failure.summary}, Retry-After ${header ?? ''}${fromServer === 0 ? ' (already due: backing off)' : ''}`;
  settings.onRetry?.({ attempt: retryCount + 1, delayMs: state.plannedDelayMs, reason });
  return true;
}

/**
 * Reads every answer's body (errors quote errorCode and msg); a 2xx without an envelope, or with a
 * code saying the server is busy or failing, is retried.
 */
async function readAnswer(state: CallState, response: KyResponse): Promise<void> {
  let parsed: unknown;
  let readable = true;
  try {
    parsed = await response.json();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    readable = false;
  }
  state.endAttempt();
  const envelope = readable ? readEnvelope(parsed) : undefined;
  state.answer = { status: response.status, envelope, retryAfter: response.headers.get('retry-after') };
  if (response.ok && envelope === undefined) throw new MalformedAnswerError(`HTTP ${response.status} without an envelope`);
  if (response.ok && envelope !== undefined && isRetryableCode(envelope.code)) throw new BusyAnswerError(`HTTP ${response.status} with code ${envelope.code}`);
}
