import { describe, expect, it } from 'vitest';
import { describeTarget, snapshotTarget, targetMismatch, targetOrigin } from '../../../src/core/target.js';

const production = { name: 'production', baseUrl: 'https://integrate.rabbitpre.com' };

describe('targetOrigin', () => {
  it('keeps scheme, host and port only: a path, credentials or query could carry a token', () => {
    expect(targetOrigin('https://integrate.rabbitpre.com')).toBe('https://integrate.rabbitpre.com');
    expect(targetOrigin('https://Integrate.Rabbitpre.com:443/')).toBe('https://integrate.rabbitpre.com');
    expect(targetOrigin('http://127.0.0.1:41234/gw/tok-5ecret0123456789?x=1#f')).toBe('http://127.0.0.1:41234');
    expect(targetOrigin('https://user:pa55word@gw.example.com/t')).toBe('https://gw.example.com');
  });

  it('is undefined for what is not an http(s) URL', () => {
    expect(targetOrigin('integrate.rabbitpre.com')).toBeUndefined();
    expect(targetOrigin('ftp://integrate.rabbitpre.com')).toBeUndefined();
    expect(targetOrigin('')).toBeUndefined();
  });
});

describe('snapshotTarget and targetMismatch', () => {
  it('a recorded target matches only the same name and base URL', () => {
    const snapshot = { target: production, lastApply: null };
    expect(targetMismatch(snapshot, production)).toBeUndefined();
    expect(targetMismatch(snapshot, { ...production, name: 'test' })).toEqual({ ...production, from: 'recorded' });
    expect(targetMismatch(snapshot, { ...production, baseUrl: 'https://test.example.com' })).toEqual({ ...production, from: 'recorded' });
  });

  it('a snapshot of the previous release belongs to the origin its last apply sent to, whatever the name', () => {
    const legacy = { lastApply: { endpoint: 'https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd' } };
    expect(snapshotTarget(legacy)).toEqual({ baseUrl: 'https://integrate.rabbitpre.com', from: 'endpoint' });
    expect(targetMismatch(legacy, production)).toBeUndefined();
    expect(targetMismatch(legacy, { name: 'default', baseUrl: 'https://integrate.rabbitpre.com' })).toBeUndefined();
    expect(targetMismatch(legacy, { name: 'default', baseUrl: 'http://127.0.0.1:8080' })).toEqual({ baseUrl: 'https://integrate.rabbitpre.com', from: 'endpoint' });
  });

  it('a snapshot that says nothing about its target (no apply yet, an endpoint that is no URL) matches any', () => {
    expect(targetMismatch({ lastApply: null }, production)).toBeUndefined();
    expect(targetMismatch({ lastApply: { endpoint: 'fake://v2' } }, production)).toBeUndefined();
  });

  it('describes a target by name and URL, or by URL alone', () => {
    expect(describeTarget(production)).toBe('"production" (https://integrate.rabbitpre.com)');
    expect(describeTarget({ baseUrl: 'https://integrate.rabbitpre.com' })).toBe('https://integrate.rabbitpre.com');
  });
});
