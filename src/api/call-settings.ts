import type { Dispatcher } from 'undici';
import { GroupopsError } from '../errors/index.js';
import { toolVersion } from '../load/package-root.js';
import { endpointUrl } from './endpoint-url.js';
import type { FailureContext } from './failure.js';
import { createDispatcher, proxyFor, type ProxySettings } from './proxy.js';
import { createRedactor } from './redact.js';

/** How a client reaches the API: shared by the v2, v1 and customer-group clients. */
export interface ApiClientOptions {
  /** e.g. https://integrate.rabbitpre.com or the sandbox URL. */
  baseUrl: string;
  /**
   * What supplied baseUrl, named in the messages about it: "RABBITPRE_BASE_URL" (the default), or
   * e.g. "api.baseUrl in .groupops/config.yaml".
   */
  baseUrlFrom?: string;
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
  /** HTTP(S)_PROXY and NO_PROXY (see proxyFromEnv); absent: no proxy. */
  proxy?: ProxySettings;
}

/** Everything one endpoint call needs; built once per client. */
export interface CallSettings extends FailureContext {
  /** What is called (may hold a secret in its path); `endpoint` is its shown form. */
  readonly url: string;
  /** The path of `url`, as the dispatcher takes it (next to `origin`). */
  readonly path: string;
  readonly token: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Keep-alive connections to the API, through the proxy when one applies. */
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly onRetry: ((info: { attempt: number; delayMs: number; reason: string }) => void) | undefined;
  readonly random: () => number;
  readonly now: () => number;
}

/** Checks the options once per client and fixes the settings every call of it uses. */
export function callSettings(options: ApiClientOptions, path: string): CallSettings {
  checkToken(options.token);
  checkCount('timeoutMs', options.timeoutMs, 1);
  // A longer timer would fire at once (timers hold 32-bit milliseconds): about 24 days is no limit anyway.
  if (options.timeoutMs > 2_147_483_647) throw new GroupopsError('CONFIG_ERROR', `api timeoutMs must be at most 2147483647, got ${options.timeoutMs}`);
  checkCount('retries', options.retries, 0);
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  checkCount('retryBaseMs', retryBaseMs, 0);
  checkCount('retryMaxMs', retryMaxMs, 0);
  const from = options.baseUrlFrom ?? 'RABBITPRE_BASE_URL';
  const target = endpointUrl(options.baseUrl, options.pathPrefix, path, from);
  const url = new URL(target.url);
  const proxy = proxyFor(url.protocol, options.proxy);
  return {
    url: target.url,
    path: url.pathname,
    endpoint: target.shown,
    origin: url.origin,
    from,
    ...(proxy ? { proxy } : {}),
    token: options.token,
    redact: createRedactor([options.token, ...target.secrets]),
    headers: { 'x-token': options.token, accept: 'application/json', 'content-type': 'application/json', 'user-agent': `groupops/${toolVersion()}` },
    dispatcher: createDispatcher(options.proxy),
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryBaseMs,
    retryMaxMs,
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
    now: Date.now,
  };
}

/** Refuses tokens that cannot be a header value, before the HTTP client would refuse them with an error of its own. */
function checkToken(token: string): void {
  if (token.trim() === '') throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN is empty: set it to the X-Token of the self-built app');
  if (token !== token.trim() || /[^\x21-\x7e]/.test(token)) {
    throw new GroupopsError('CONFIG_ERROR', 'RABBITPRE_TOKEN contains spaces, line breaks or non-ASCII characters: copy the token again without them');
  }
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new GroupopsError('CONFIG_ERROR', `api ${name} must be an integer >= ${min}, got ${value}`);
}
