const TOKEN = 'check RABBITPRE_TOKEN: it must be the X-Token of the self-built app (应用), current and not revoked';
const PERMISSION = 'the self-built app needs the permission 用户 -> 用户分组 (Users -> User groups)';
const IDENTITY_TYPE = 'every identity type used must be configured in the workbench (工作台 用户 -> 身份类型管理) and enabled in the operations console';
const REDIRECT = 'the API redirected; set RABBITPRE_BASE_URL to the final address (redirects are not followed, so that the token only goes where it is configured to)';
const NOT_FOUND = 'check RABBITPRE_BASE_URL and the path prefix (config api.pathPrefix, default /api/integrate)';

const RESEND_IS_SAFE = 'resending a batch is safe: adds and deletes are idempotent';

/**
 * What to check for a failure that retrying cannot fix, from the HTTP status or, for an HTTP 2xx
 * rejection, the envelope's code (the API reports some failures as HTTP 200 with code "401" etc.).
 * Only client errors (4xx) point at the token, the path, the app's permission or identity types: a
 * server that is busy or failing (429, 5xx) says nothing about any of them, and an unknown code
 * gets no guess.
 */
export function hintFor(status: number | undefined, code: string | undefined, errorCode?: string): string | undefined {
  if (status !== undefined && status >= 300 && status < 400) return REDIRECT;
  const key = failureKey(status, code);
  if (key === '200') return notAcknowledgedHint(errorCode);
  switch (key) {
    case '401':
      return TOKEN;
    case '403':
      return `${PERMISSION}; ${IDENTITY_TYPE}`;
    case '404':
      return NOT_FOUND;
    default:
      // Any other refusal of a well-formed request (400, 422 ...) is most often an identity type the
      // tenant has not enabled; 408 and 429 are about timing, not about the request.
      if (key !== undefined && /^4\d\d$/.test(key) && key !== '408' && key !== '429') return `the API refused the request: ${IDENTITY_TYPE}; ${PERMISSION}`;
      return undefined;
  }
}

/**
 * What to say once the retries are spent on a failure that a later try may fix. A 429 or 5xx (as
 * the HTTP status or as the envelope's code of an HTTP 200) is worded as the server being busy or
 * failing, so that nobody goes looking for a configuration problem.
 */
export function retryLaterHint(status: number | undefined, code: string | undefined, errorCode?: string): string {
  const key = failureKey(status, code);
  const busy = key === '429' ? 'is rate limiting' : key !== undefined && /^5\d\d$/.test(key) ? 'is busy or failing on its side' : key === '200' && errorCode !== undefined ? 'is busy' : undefined;
  if (busy === undefined) return `the API did not answer successfully; try again later (${RESEND_IS_SAFE})`;
  const seen = key === '200' ? `errorCode "${errorCode ?? ''}"` : key === String(status) ? `HTTP ${key}` : `code "${key}"`;
  return `the API ${busy} (${seen}), it did not refuse the request: try again later (${RESEND_IS_SAFE})`;
}

/** The status that describes a failure: the HTTP status unless it is 2xx, else the envelope's code. */
function failureKey(status: number | undefined, code: string | undefined): string | undefined {
  return status !== undefined && (status < 200 || status > 299) ? String(status) : code;
}

/**
 * An envelope with code "200" whose errorCode is not SUCCESS (rabbitpre-api.md): the API took the
 * call but did not accept the request, and says nothing retrying would change.
 */
function notAcknowledgedHint(errorCode: string | undefined): string {
  const what = errorCode === undefined ? 'without an errorCode' : `with errorCode "${errorCode}"`;
  return `the API answered ${what}, not SUCCESS, so it did not acknowledge the request and nothing of it is recorded: groupops plan still shows it, and the next groupops apply sends it again; if the answer stays the same, ask Rabbitpre what it means`;
}

/** Where a client connects, for the messages about connections that fail. */
export interface Reach {
  /** scheme://host[:port] of the endpoint (shown form). */
  readonly origin: string;
  /** What supplied the base URL: "RABBITPRE_BASE_URL", "api.baseUrl in .groupops/config.yaml" ... */
  readonly from: string;
  /** The proxy variable that applies to the endpoint's scheme, if one is set. */
  readonly proxy?: { readonly variable: string; readonly shown: string };
}

/** The system error codes of a host name that does not resolve. */
const UNKNOWN_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/**
 * What to check when no connection could be made: a refused connection or an unknown host is
 * almost always the address (a typo, a port, a test server that is not running), so the hint names
 * the address tried and the setting it came from (and the proxy variable, when one is set);
 * anything else (a reset, a timeout) is worded as a passing failure. undefined: no specific hint.
 */
export function networkHint(errno: string | undefined, reach: Reach): string | undefined {
  const proxy = reach.proxy ? `; ${reach.proxy.variable} is set (${reach.proxy.shown}): unless NO_PROXY exempts this host, the connection goes through that proxy, so check it too` : '';
  if (errno === 'ECONNREFUSED') return `nothing accepted the connection to ${reach.origin}: check the address in ${reach.from} and that the API can be reached from this machine${proxy}`;
  if (errno !== undefined && UNKNOWN_HOST.has(errno)) return `the host of ${reach.origin} is not known (${errno}): check the address in ${reach.from}, and the network's DNS${proxy}`;
  return undefined;
}
