import { GroupopsError } from '../errors/index.js';
import { toolVersion } from '../load/package-root.js';
import { createTransport } from './http-transport.js';
import type { CallSettings } from './post-envelope.js';

/** How a client reaches the API: shared by the v2, v1 and customer-group clients. */
export interface ApiClientOptions {
  /** e.g. https://integrate.rabbitpre.com or the sandbox URL. */
  baseUrl: string;
  /** Default '/api/integrate'. */
  pathPrefix: string;
  /** The X-Token; never printed. */
  token: string;
  /** Per attempt, covering the answer's headers and body. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** v2 publicParams.matchingType; omitted when undefined (v1 and customer clients take their own parameters). */
  matchingType?: 1 | 2;
  /** Backoff base (tests use small values), default 500. */
  retryBaseMs?: number;
  /** Cap of one wait, Retry-After included, default 30000. */
  retryMaxMs?: number;
  /**
   * Called before each retry's wait starts: `attempt` is the number of the attempt about to be made
   * (2 for the first retry), `delayMs` the wait, `reason` what failed (never containing the token).
   */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** The jitter's random source, in [0, 1); tests pass a fixed one. Default Math.random. */
  random?: () => number;
}

/** Checks the options once per client and fixes the settings every call of it uses. */
export function callSettings(options: ApiClientOptions, endpoint: string): CallSettings {
  checkToken(options.token);
  checkCount('timeoutMs', options.timeoutMs, 1);
  checkCount('retries', options.retries, 0);
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  checkCount('retryBaseMs', retryBaseMs, 0);
  checkCount('retryMaxMs', retryMaxMs, 0);
  return {
    endpoint,
    token: options.token,
    transport: createTransport(
      endpoint,
      { 'X-Token': options.token, accept: 'application/json', 'content-type': 'application/json', 'user-agent': `groupops/${toolVersion()}` },
      options.timeoutMs,
    ),
    retries: options.retries,
    retryBaseMs,
    retryMaxMs,
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
    now: Date.now,
  };
}

/** Refuses tokens that cannot be a header value, before node:http would refuse them with an error of its own. */
function checkToken(token: string): void {
  if (token.trim() === '') throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN is empty: set it to the X-Token of the self-built app');
  if (token !== token.trim() || /[^\x21-\x7e]/.test(token)) {
    throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN contains spaces, line breaks or non-ASCII characters: copy the token again without them');
  }
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new GroupopsError('CONFIG_ERROR', `api ${name} must be an integer >= ${min}, got ${value}`);
}
