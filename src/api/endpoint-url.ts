import { GroupopsError } from '../errors/index.js';
import { CUSTOMER_BATCH_ADD_PATH } from './customer-wire.js';
import { REDACTED } from './redact.js';
import { V1_BATCH_ADD_PATH } from './v1-wire.js';
import { V2_BATCH_ADD_PATH } from './v2-wire.js';

/** The path prefixes the vendor documents (rabbitpre-api.md: the "接口地址" line and seed 000's example). */
const DOCUMENTED_PREFIXES = ['/api/integrate', '/api/open'] as const;

/** The endpoint paths the vendor documents, after the prefix. */
const DOCUMENTED_PATHS = [V2_BATCH_ADD_PATH, V1_BATCH_ADD_PATH, CUSTOMER_BATCH_ADD_PATH] as const;

/** The URL a client calls, and the form of it that may be shown or recorded. */
export interface EndpointUrl {
  /** What is called: may hold a secret in its path (a gateway that takes the token there). */
  readonly url: string;
  /** scheme://host[:port] plus only the documented prefix and path (see shownUrl): printed, journaled, recorded in the snapshot. */
  readonly shown: string;
  /** Texts of `url` that must never be shown: its path segments that are not documented (empty when there are none). */
  readonly secrets: readonly string[];
}

/**
 * Joins base URL, path prefix and endpoint path into the URL that is called, and the form of it
 * that is shown. `from` names what supplied the base URL (RABBITPRE_BASE_URL, or api.baseUrl in the
 * config), for the messages. Credentials, a query or a fragment in the base URL are refused (the
 * token goes in RABBITPRE_TOKEN); a path of its own (a reverse proxy, or a gateway that wants a
 * token there) is kept for calling but never shown.
 */
export function endpointUrl(baseUrl: string, pathPrefix: string, path: string, from = 'RABBITPRE_BASE_URL'): EndpointUrl {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw configError(`${from} is not a valid URL; expected e.g. https://integrate.rabbitpre.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(`${from} must use http or https, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw configError(`${from} must not contain credentials; the token goes in RABBITPRE_TOKEN`);
  if (url.search !== '' || url.hash !== '') throw configError(`${from} must not have a query or fragment`);
  const full = `${url.origin}${trimSlashes(url.pathname)}${trimSlashes(pathPrefix.trim())}${path}`;
  const hidden = undocumentedPath(new URL(full).pathname);
  return { url: full, shown: shownUrl(full), secrets: hidden === '' ? [] : secretTexts(hidden) };
}

/**
 * A URL as it may be printed or recorded: scheme://host[:port], then the path only as far as the
 * vendor documents it (a prefix /api/integrate or /api/open and an endpoint path); whatever else
 * the path holds becomes [redacted], and credentials, query and fragment are left out. A text
 * that is not an absolute URL is resolved against `base`, or shown as [redacted] without one.
 */
export function shownUrl(text: string, base?: string): string {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return REDACTED;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return REDACTED;
  const path = url.pathname.replace(/\/+$/, '');
  const hidden = undocumentedPath(path);
  return `${url.origin}${hidden === '' ? '' : `/${REDACTED}`}${path.slice(hidden.length)}`;
}

/** The part of a path that is neither a documented prefix nor a documented endpoint path ("" when none). */
function undocumentedPath(pathname: string): string {
  const path = pathname.replace(/\/+$/, '');
  const tail = DOCUMENTED_PATHS.find((p) => path.endsWith(p)) ?? '';
  const beforeTail = path.slice(0, path.length - tail.length);
  const prefix = DOCUMENTED_PREFIXES.find((p) => beforeTail.endsWith(p)) ?? '';
  return beforeTail.slice(0, beforeTail.length - prefix.length);
}

/**
 * What to remove from texts a server or a library sends back (a 404 page echoing the path): the
 * hidden path, as sent and decoded, and each of its segments long enough not to be a common word.
 */
function secretTexts(hidden: string): string[] {
  const out = new Set<string>([hidden]);
  for (const segment of hidden.split('/')) if (segment.length >= 6) out.add(segment);
  for (const text of [...out]) {
    try {
      out.add(decodeURIComponent(text));
    } catch {
      // Not valid percent-encoding: only the text as sent can come back.
    }
  }
  return [...out];
}

/** "/a/b/" and "a/b" become "/a/b"; "/" becomes "". */
function trimSlashes(path: string): string {
  const inner = path.replace(/^\/+|\/+$/g, '');
  return inner === '' ? '' : `/${inner}`;
}

function configError(message: string): GroupopsError {
  return new GroupopsError('CONFIG_ERROR', message);
}
