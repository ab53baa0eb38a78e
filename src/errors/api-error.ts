import { GroupopsError } from './groupops-error.js';

/**
 * How a call failed, for callers that react differently (and for tests):
 * - `http`: the API answered with a non-2xx status;
 * - `rejected`: HTTP 2xx but the envelope's `code` is not "200";
 * - `network`: no answer (connection refused, reset, dropped);
 * - `timeout`: no complete answer within the per-attempt timeout;
 * - `malformed`: an answer that is not the documented envelope (a proxy page, a cut body, no batch ID);
 * - `aborted`: the caller cancelled the call.
 */
export type ApiFailureKind = 'http' | 'rejected' | 'network' | 'timeout' | 'malformed' | 'aborted';

/** What an ApiError is built from. Every text must already be free of secrets. */
export interface ApiErrorInit {
  readonly kind: ApiFailureKind;
  /** The endpoint URL (never with a token or credentials). */
  readonly endpoint: string;
  /** What went wrong, in one line, e.g. `HTTP 401` or `timeout after 30000 ms`. */
  readonly summary: string;
  readonly status?: number;
  readonly errorCode?: string;
  readonly msg?: string;
  /** Whether trying again later may succeed (the client has already used its own retries). */
  readonly retryable: boolean;
  /** How many requests were sent, retries included. */
  readonly attempts: number;
  /** What the user should check, for failures a retry cannot fix. */
  readonly hint?: string;
}

/**
 * A call to the Rabbitpre API that did not succeed. It never carries the token: no request
 * object, no headers and no transport error are kept (they can hold the request and its X-Token),
 * and texts from the server are redacted before they get here.
 */
export class ApiError extends GroupopsError {
  override readonly name = 'ApiError';
  readonly kind: ApiFailureKind;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly msg: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly hint: string | undefined;

  constructor(init: ApiErrorInit) {
    super('API_ERROR', formatApiError(init));
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.msg = init.msg;
    this.retryable = init.retryable;
    this.attempts = init.attempts;
    this.hint = init.hint;
  }
}

function formatApiError(init: ApiErrorInit): string {
  const envelope = init.errorCode !== undefined || init.msg !== undefined ? ` [${[init.errorCode, init.msg].filter((s) => s !== undefined && s !== '').join(': ')}]` : '';
  const tries = `${init.attempts} attempt${init.attempts === 1 ? '' : 's'}`;
  const head = `POST ${init.endpoint} failed: ${init.summary}${envelope} (${tries})`;
  return init.hint ? `${head}\nhint: ${init.hint}` : head;
}
