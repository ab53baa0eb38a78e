import { describe, expect, it } from 'vitest';
import { failureToError, thrownFailure } from '../../src/api/failure.js';
import { hintFor, networkHint, retryLaterHint } from '../../src/api/hints.js';
import { createRedactor } from '../../src/api/redact.js';
import { ApiError } from '../../src/errors/index.js';

const CONFIG = /身份类型|用户分组|RABBITPRE_TOKEN|RABBITPRE_BASE_URL/;

describe('hintFor', () => {
  it('points at the configuration only for client errors, as HTTP status or as the code of an HTTP 200', () => {
    expect(hintFor(401, undefined)).toMatch(/RABBITPRE_TOKEN/);
    expect(hintFor(200, '401')).toMatch(/RABBITPRE_TOKEN/);
    expect(hintFor(200, '403')).toMatch(/用户 -> 用户分组[\s\S]*身份类型管理/);
    expect(hintFor(404, '200')).toMatch(/RABBITPRE_BASE_URL/);
    expect(hintFor(200, '400')).toMatch(/身份类型管理/);
    expect(hintFor(422, undefined)).toMatch(/身份类型管理/);
  });

  it('blames nothing in the configuration for busy or failing servers and unknown codes', () => {
    for (const [status, code] of [
      [200, '500'],
      [200, '503'],
      [200, '429'],
      [200, '408'],
      [501, undefined],
      [200, 'E1001'],
      [200, undefined],
    ] as const) {
      expect(hintFor(status, code)).toBeUndefined();
    }
  });
});

describe('retryLaterHint', () => {
  it('says busy or rate limited for 5xx and 429, naming where it was seen, and never the configuration', () => {
    expect(retryLaterHint(200, '503')).toMatch(/busy or failing on its side \(code "503"\)/);
    expect(retryLaterHint(502, '502')).toMatch(/busy or failing on its side \(HTTP 502\)/);
    expect(retryLaterHint(429, undefined)).toMatch(/rate limiting \(HTTP 429\)/);
    expect(retryLaterHint(200, '429')).toMatch(/rate limiting \(code "429"\)/);
    for (const text of [retryLaterHint(200, '503'), retryLaterHint(429, undefined), retryLaterHint(undefined, undefined)]) {
      expect(text).not.toMatch(CONFIG);
      expect(text).toContain('resending a batch is safe');
    }
  });

  it('stays general for failures without a status (network, timeout, a malformed body)', () => {
    expect(retryLaterHint(undefined, undefined)).toMatch(/^the API did not answer successfully/);
    expect(retryLaterHint(200, undefined)).toMatch(/^the API did not answer successfully/);
  });
});

describe('networkHint', () => {
  const reach = { origin: 'https://integrate.rabbitpre.comx', from: 'RABBITPRE_BASE_URL' };

  it('names the address tried and its setting for a refused connection and for an unknown host', () => {
    expect(networkHint('ECONNREFUSED', reach)).toBe(
      'nothing accepted the connection to https://integrate.rabbitpre.comx: check the address in RABBITPRE_BASE_URL and that the API can be reached from this machine',
    );
    for (const errno of ['ENOTFOUND', 'EAI_AGAIN']) {
      expect(networkHint(errno, { ...reach, from: 'api.baseUrl in .groupops/config.yaml' })).toBe(
        `the host of https://integrate.rabbitpre.comx is not known (${errno}): check the address in api.baseUrl in .groupops/config.yaml, and the network's DNS`,
      );
    }
  });

  it('adds the proxy variable when one is set, and leaves other connection failures to the general wording', () => {
    expect(networkHint('ECONNREFUSED', { ...reach, proxy: { variable: 'HTTPS_PROXY', shown: 'http://proxy.corp:3128' } })).toMatch(
      /; HTTPS_PROXY is set \(http:\/\/proxy\.corp:3128\): unless NO_PROXY exempts this host/,
    );
    expect(networkHint('ECONNRESET', reach)).toBeUndefined();
    expect(networkHint(undefined, reach)).toBeUndefined();
  });

  it('is what the error of an unknown host says, as the DNS lookup reports it', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND integrate.rabbitpre.comx'), { code: 'ENOTFOUND', hostname: 'integrate.rabbitpre.comx' });
    const failure = thrownFailure(dns, createRedactor(['tok']), 1000);
    expect(failure).toMatchObject({ kind: 'network', retryable: true, errno: 'ENOTFOUND', summary: 'connection failed (ENOTFOUND: getaddrinfo ENOTFOUND integrate.rabbitpre.comx)' });
    const err = failureToError(failure, { ...reach, endpoint: 'https://integrate.rabbitpre.comx/api/integrate/audience/group/rel/v2/batchAdd', redact: createRedactor(['tok']) }, 3) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain('hint: the host of https://integrate.rabbitpre.comx is not known (ENOTFOUND): check the address in RABBITPRE_BASE_URL');
  });
});
