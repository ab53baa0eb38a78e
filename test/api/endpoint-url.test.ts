import { describe, expect, it } from 'vitest';
import { endpointUrl, shownUrl } from '../../src/api/endpoint-url.js';
import { GroupopsError } from '../../src/errors/index.js';

describe('endpointUrl', () => {
  const path = '/audience/group/rel/v2/batchAdd';
  const url = (base: string, prefix: string) => endpointUrl(base, prefix, path).url;

  it('joins base, prefix and path whatever the slashes', () => {
    expect(url('https://integrate.rabbitpre.com', '/api/integrate')).toBe('https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd');
    expect(url('https://integrate.rabbitpre.com/', 'api/integrate/')).toBe('https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd');
    expect(url('http://127.0.0.1:8787/proxy/', '/api/open')).toBe('http://127.0.0.1:8787/proxy/api/open/audience/group/rel/v2/batchAdd');
    expect(url('http://127.0.0.1:8787', '')).toBe('http://127.0.0.1:8787/audience/group/rel/v2/batchAdd');
  });

  it('shows the documented address as it is', () => {
    const target = endpointUrl('https://integrate.rabbitpre.com', '/api/integrate', path);
    expect(target.shown).toBe(target.url);
    expect(target.secrets).toEqual([]);
    expect(endpointUrl('http://127.0.0.1:8787', '/api/open', path).shown).toBe('http://127.0.0.1:8787/api/open/audience/group/rel/v2/batchAdd');
  });

  it('hides every path segment of the base URL or the prefix that the vendor does not document (a token there is never shown)', () => {
    const token = 'a91c2e0b7f3d4c55';
    const target = endpointUrl(`http://gw.example.com:8080/${token}/`, '/api/integrate', path);
    expect(target.url).toBe(`http://gw.example.com:8080/${token}/api/integrate/audience/group/rel/v2/batchAdd`);
    expect(target.shown).toBe('http://gw.example.com:8080/[redacted]/api/integrate/audience/group/rel/v2/batchAdd');
    expect(target.secrets).toContain(`/${token}`);
    expect(target.secrets).toContain(token);
    expect(endpointUrl(`http://gw.example.com/${token}`, '', path).shown).toBe('http://gw.example.com/[redacted]/audience/group/rel/v2/batchAdd');
    expect(endpointUrl('http://gw.example.com', `/gateway/${token}`, path).shown).toBe('http://gw.example.com/[redacted]/audience/group/rel/v2/batchAdd');
    // Percent-encoded in the URL, decoded where a server echoes it: both forms are secrets.
    expect(endpointUrl('http://gw.example.com/tok%20en-secret', '', path).secrets).toEqual(expect.arrayContaining(['tok%20en-secret', 'tok en-secret']));
  });

  it('refuses URLs that are not http(s), carry credentials, a query or cannot be parsed, without echoing them, naming their source', () => {
    const attempt = (base: string, from?: string): GroupopsError => {
      try {
        endpointUrl(base, '/api/integrate', path, from);
      } catch (err) {
        return err as GroupopsError;
      }
      throw new Error('expected a failure');
    };
    const withPassword = attempt('https://user:s3cret-pw@integrate.rabbitpre.com');
    expect(withPassword.code).toBe('CONFIG_ERROR');
    expect(withPassword.message).not.toContain('s3cret-pw');
    const withQuery = attempt('https://integrate.rabbitpre.com/?token=q-s3cret');
    expect(withQuery.message).toMatch(/RABBITPRE_BASE_URL must not have a query/);
    expect(withQuery.message).not.toContain('q-s3cret');
    expect(attempt('ftp://integrate.rabbitpre.com').message).toMatch(/http or https/);
    expect(attempt('integrate.rabbitpre.com').message).toMatch(/^RABBITPRE_BASE_URL is not a valid URL/);
    expect(attempt('integrate.rabbitpre.com', 'api.baseUrl in .groupops/config.yaml').message).toMatch(/^api\.baseUrl in \.groupops\/config\.yaml is not a valid URL/);
  });
});

describe('shownUrl', () => {
  it('keeps scheme, host, port and the documented path; drops credentials, query and fragment; hides the rest', () => {
    expect(shownUrl('https://u:pw@integrate.rabbitpre.com/api/integrate/audience/info/batchAdd?token=x#y')).toBe('https://integrate.rabbitpre.com/api/integrate/audience/info/batchAdd');
    expect(shownUrl('http://h:81/secret-path/api/integrate/audience/group/rel/batchAdd')).toBe('http://h:81/[redacted]/api/integrate/audience/group/rel/batchAdd');
    expect(shownUrl('http://h/somewhere/else')).toBe('http://h/[redacted]');
    expect(shownUrl('http://h/')).toBe('http://h');
  });

  it('resolves a relative location against a base, and hides what it cannot read', () => {
    expect(shownUrl('/tok123/api/integrate/audience/group/rel/v2/batchAdd', 'http://h:81/x')).toBe('http://h:81/[redacted]/api/integrate/audience/group/rel/v2/batchAdd');
    expect(shownUrl('not a url')).toBe('[redacted]');
    expect(shownUrl('mailto:someone@example.com')).toBe('[redacted]');
  });
});
