import { describe, expect, it } from 'vitest';
import { endpointUrl } from '../../src/api/endpoint-url.js';
import { GroupopsError } from '../../src/errors/index.js';

describe('endpointUrl', () => {
  const path = '/audience/group/rel/v2/batchAdd';

  it('joins base, prefix and path whatever the slashes', () => {
    expect(endpointUrl('https://integrate.rabbitpre.com', '/api/integrate', path)).toBe('https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd');
    expect(endpointUrl('https://integrate.rabbitpre.com/', 'api/integrate/', path)).toBe('https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd');
    expect(endpointUrl('http://127.0.0.1:8787/proxy/', '/api/open', path)).toBe('http://127.0.0.1:8787/proxy/api/open/audience/group/rel/v2/batchAdd');
    expect(endpointUrl('http://127.0.0.1:8787', '', path)).toBe('http://127.0.0.1:8787/audience/group/rel/v2/batchAdd');
  });

  it('refuses URLs that are not http(s), carry credentials or cannot be parsed, without echoing them', () => {
    const attempt = (base: string): GroupopsError => {
      try {
        endpointUrl(base, '/api/integrate', path);
      } catch (err) {
        return err as GroupopsError;
      }
      throw new Error('expected a failure');
    };
    const withPassword = attempt('https://user:s3cret-pw@integrate.rabbitpre.com');
    expect(withPassword.code).toBe('CONFIG_ERROR');
    expect(withPassword.message).not.toContain('s3cret-pw');
    expect(attempt('ftp://integrate.rabbitpre.com').message).toMatch(/http or https/);
    expect(attempt('integrate.rabbitpre.com').message).toMatch(/not a valid URL/);
  });
});
