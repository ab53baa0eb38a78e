import { GroupopsError } from '../errors/index.js';

/**
 * Joins base URL, path prefix and endpoint path into the URL that is called and recorded.
 * The base may carry a path of its own (a reverse proxy); credentials in it are refused, because
 * the URL is printed and stored in the snapshot.
 */
export function endpointUrl(baseUrl: string, pathPrefix: string, path: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw configError('RABBITPRE_BASE_URL is not a valid URL; expected e.g. https://integrate.rabbitpre.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(`RABBITPRE_BASE_URL must use http or https, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw configError('RABBITPRE_BASE_URL must not contain credentials; the token goes in RABBITPRE_TOKEN');
  if (url.search !== '' || url.hash !== '') throw configError('RABBITPRE_BASE_URL must not have a query or fragment');
  return `${url.origin}${trimSlashes(url.pathname)}${trimSlashes(pathPrefix.trim())}${path}`;
}

/** "/a/b/" and "a/b" become "/a/b"; "/" becomes "". */
function trimSlashes(path: string): string {
  const inner = path.replace(/^\/+|\/+$/g, '');
  return inner === '' ? '' : `/${inner}`;
}

function configError(message: string): GroupopsError {
  return new GroupopsError('CONFIG_ERROR', message);
}
