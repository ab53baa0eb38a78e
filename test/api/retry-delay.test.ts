import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterDelay, retryWait } from '../../src/api/retry-delay.js';

describe('backoffDelay', () => {
  it('doubles per retry, keeps half of the step and randomizes the other half', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 10_000, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 10_000, () => 0.999999))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(30, 500, 30_000, () => 0.999999)).toBe(30_000);
    expect(backoffDelay(30, 500, 30_000, () => 0)).toBe(15_000);
  });
});

describe('retryAfterDelay', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds, fractions included', () => {
    expect(retryAfterDelay('2', now, 60_000)).toBe(2000);
    expect(retryAfterDelay('0.05', now, 60_000)).toBe(50);
    expect(retryAfterDelay('0', now, 60_000)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(retryAfterDelay('Thu, 01 Jan 2026 00:00:03 GMT', now, 60_000)).toBe(3000);
    expect(retryAfterDelay('Wed, 31 Dec 2025 23:59:00 GMT', now, 60_000)).toBe(0);
  });

  it('caps the wait and ignores absent or unreadable headers', () => {
    expect(retryAfterDelay('120', now, 30_000)).toBe(30_000);
    expect(retryAfterDelay(null, now, 30_000)).toBeUndefined();
    expect(retryAfterDelay('soon', now, 30_000)).toBeUndefined();
    expect(retryAfterDelay('-1', now, 30_000)).toBeUndefined();
  });
});

describe('retryWait', () => {
  const fixed = (): number => 0.5;

  it('honours a Retry-After still ahead, also below the backoff', () => {
    expect(retryWait(2000, 1, 500, 30_000, fixed)).toBe(2000);
    expect(retryWait(30, 3, 500, 30_000, fixed)).toBe(30);
  });

  it('backs off when Retry-After is 0 or in the past, exactly as without the header', () => {
    for (const retry of [1, 2, 3, 4]) {
      const backoff = backoffDelay(retry, 500, 30_000, fixed);
      expect(backoff).toBeGreaterThan(0);
      expect(retryWait(0, retry, 500, 30_000, fixed)).toBe(backoff);
      expect(retryWait(undefined, retry, 500, 30_000, fixed)).toBe(backoff);
    }
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryWait(retryAfterDelay('Wed, 21 Oct 2015 07:28:00 GMT', now, 30_000), 2, 500, 30_000, () => 0)).toBe(500);
    expect(retryWait(retryAfterDelay('0', now, 30_000), 1, 500, 30_000, () => 0)).toBe(250);
  });
});
