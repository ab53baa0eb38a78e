const TOKEN = 'check RABBITPRE_TOKEN: it must be the X-Token of the self-built app (应用), current and not revoked';
const PERMISSION = 'the self-built app needs the permission 用户 -> 用户分组 (Users -> User groups)';
const IDENTITY_TYPE = 'every identity type used must be configured in the workbench (工作台 用户 -> 身份类型管理) and enabled in the operations console';
const REDIRECT = 'the API redirected; set RABBITPRE_BASE_URL to the final address (redirects are not followed, so that the token only goes where it is configured to)';
const NOT_FOUND = 'check RABBITPRE_BASE_URL and the path prefix (config api.pathPrefix, default /api/integrate)';

/**
 * What to check for a failure that retrying cannot fix, from the HTTP status or, for an HTTP 2xx
 * rejection, the envelope's code (the API reports some failures as HTTP 200 with code "401" etc.).
 */
export function hintFor(status: number | undefined, code: string | undefined): string | undefined {
  if (status !== undefined && status >= 300 && status < 400) return REDIRECT;
  const key = status !== undefined && (status < 200 || status > 299) ? String(status) : code;
  switch (key) {
    case '401':
      return TOKEN;
    case '403':
      return `${PERMISSION}; ${IDENTITY_TYPE}`;
    case '404':
      return NOT_FOUND;
    case undefined:
      return undefined;
    default:
      // Any other rejection of a well-formed request is most often an identity type the tenant has not enabled.
      return `the API refused the request: ${IDENTITY_TYPE}; ${PERMISSION}`;
  }
}
