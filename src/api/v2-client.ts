import type { BatchReceipt, MembershipApi } from '../app/ports.js';
import type { PlannedBatch } from '../core/batches.js';
import { ApiError, GroupopsError } from '../errors/index.js';
import { toolVersion } from '../load/package-root.js';
import { batchIdOf, isSuccessCode } from './envelope.js';
import { endpointUrl } from './endpoint-url.js';
import { hintFor } from './hints.js';
import { postEnvelope, type CallSettings } from './post-envelope.js';
import { redactSecret } from './redact.js';
import { toV2Body, V2_BATCH_ADD_PATH } from './v2-wire.js';

/** The default path prefix (rabbitpre-api.md: the seed's "接口地址" line). */
export const DEFAULT_PATH_PREFIX = '/api/integrate';

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
  /** publicParams.matchingType; omitted when undefined. */
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

/**
 * The v2 membership import (POST {base}{prefix}/audience/group/rel/v2/batchAdd) as a MembershipApi.
 * A batch succeeds only on HTTP 2xx with code "200"; its batch ID is kept as the exact decimal text.
 */
export function createV2Client(options: ApiClientOptions): MembershipApi {
  const settings = callSettings(options, endpointUrl(options.baseUrl, options.pathPrefix, V2_BATCH_ADD_PATH));
  return {
    endpoint: settings.endpoint,
    sendBatch: (batch, signal) => sendV2Batch(settings, batch, options.matchingType, signal),
  };
}

async function sendV2Batch(settings: CallSettings, batch: PlannedBatch, matchingType: 1 | 2 | undefined, signal?: AbortSignal): Promise<BatchReceipt> {
  const answer = await postEnvelope(settings, toV2Body(batch, matchingType), signal);
  const { envelope, status, attempts } = answer;
  const base = { endpoint: settings.endpoint, status, attempts };
  const errorCode = envelope.errorCode === undefined ? {} : { errorCode: redactSecret(envelope.errorCode, settings.token) };
  const msg = envelope.msg === undefined ? {} : { msg: redactSecret(envelope.msg, settings.token) };
  if (!isSuccessCode(envelope)) {
    const hint = hintFor(undefined, envelope.code);
    throw new ApiError({ ...base, kind: 'rejected', summary: `HTTP ${status} with code "${redactSecret(envelope.code, settings.token)}"`, ...errorCode, ...msg, retryable: false, ...(hint ? { hint } : {}) });
  }
  const batchId = batchIdOf(envelope.data);
  if (batchId === undefined) {
    throw new ApiError({ ...base, kind: 'malformed', summary: 'code "200" but data is not a batch ID (a decimal integer)', retryable: false });
  }
  return { batchId };
}

function callSettings(options: ApiClientOptions, endpoint: string): CallSettings {
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
    userAgent: `groupops/${toolVersion()}`,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryBaseMs,
    retryMaxMs,
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
    now: Date.now,
  };
}

/** Refuses tokens that cannot be a header value, without quoting them (fetch's own error would). */
function checkToken(token: string): void {
  if (token.trim() === '') throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN is empty: set it to the X-Token of the self-built app');
  if (token !== token.trim() || /[^\x21-\x7e]/.test(token)) {
    throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN contains spaces, line breaks or non-ASCII characters: copy the token again without them');
  }
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new GroupopsError('CONFIG_ERROR', `api ${name} must be an integer >= ${min}, got ${value}`);
}
