import { setFlagsFromString } from 'node:v8';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { GroupopsError } from '../errors/index.js';

/** The proxy variables of the environment, as curl and undici read them. Empty or absent: none. */
export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

/** A proxy a client's requests may go through, for the messages: which variable set it, and its shown address. */
export interface ProxyInUse {
  readonly variable: string;
  readonly shown: string;
}

/**
 * HTTP_PROXY, HTTPS_PROXY and NO_PROXY from an environment, each lower case first (as curl and
 * undici read them: the lower-case form is the older convention, and wins when both are set).
 */
export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const pick = (name: string): string | undefined => nonEmpty(env[name.toLowerCase()]) ?? nonEmpty(env[name]);
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY');
  const noProxy = pick('NO_PROXY');
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

/**
 * The connection pool of one client: keep-alive connections to the API, through the proxy its
 * scheme's variable names unless NO_PROXY names the host (undici's EnvHttpProxyAgent: a CONNECT
 * tunnel through the proxy). Only the settings given count, never process.env behind the caller's
 * back. undici's own header and body timeouts are off: the per-attempt deadline (ky's timeout)
 * covers the whole answer. Redirects are never followed (undici's request does not), so the token
 * only goes where it is configured to.
 */
export function createDispatcher(proxy: ProxySettings = {}): Dispatcher {
  keepParserOnLiftoff();
  return new EnvHttpProxyAgent({
    httpProxy: proxyUri('HTTP_PROXY', proxy.httpProxy),
    httpsProxy: proxyUri('HTTPS_PROXY', proxy.httpsProxy),
    noProxy: proxy.noProxy ?? '',
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/** The proxy variable that applies to a URL of this scheme, if set (NO_PROXY may still exempt the host). */
export function proxyFor(protocol: string, proxy: ProxySettings = {}): ProxyInUse | undefined {
  // HTTPS_PROXY falls back to HTTP_PROXY, as undici's EnvHttpProxyAgent does.
  const https = protocol === 'https:' && proxy.httpsProxy ? { variable: 'HTTPS_PROXY', uri: proxy.httpsProxy } : undefined;
  const chosen = https ?? (proxy.httpProxy ? { variable: 'HTTP_PROXY', uri: proxy.httpProxy } : undefined);
  return chosen ? { variable: chosen.variable, shown: new URL(withScheme(chosen.uri)).origin } : undefined;
}

/**
 * The proxy URL undici gets ('' for none). A bare host:port (which curl accepts) is read as
 * http://; an address that is still not a URL is refused without quoting it (it may hold a password).
 */
function proxyUri(variable: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '';
  const uri = withScheme(value.trim());
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new GroupopsError('CONFIG_ERROR', `${variable} is not a valid proxy URL; expected e.g. http://proxy.example.com:3128`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GroupopsError('CONFIG_ERROR', `${variable} must be an http:// or https:// proxy URL`);
  }
  return uri;
}

function withScheme(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : `http://${uri}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

let liftoffOnly = false;

/**
 * undici parses answers with llhttp compiled to WebAssembly. V8 compiles its hot parse function
 * again with TurboFan on a background thread, and Node waits for that compile before the process
 * may exit: measured here, apply's exit came 0.5 to 1.2 s after its last output. Liftoff's code
 * parses the API's 100-byte answers just as well. V8 reads the flag when it compiles, so it is set
 * once, before the first client (and so the first parser) exists.
 */
function keepParserOnLiftoff(): void {
  if (liftoffOnly) return;
  liftoffOnly = true;
  setFlagsFromString('--liftoff-only');
}
