import { afterEach, describe, expect, it } from 'vitest';
import { createV2Client } from '../../src/api/v2-client.js';
import { ApiError } from '../../src/errors/index.js';
import { startSandbox, type FaultKind, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { smallBatch } from '../api/batch-builders.js';
import { rawPost, v2Body } from './raw.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sandboxWith(options: SandboxOptions): Promise<Sandbox> {
  const s = await startSandbox(options);
  open.push(s);
  return s;
}

describe('sandbox: faults behave as named', () => {
  it('http500 and http503 answer an HTML page and apply nothing', async () => {
    const s = await sandboxWith({ faults: { script: ['http500', 'http503'] } });
    const a = await rawPost(s, v2Body());
    const b = await rawPost(s, v2Body());
    expect([a.status, b.status]).toEqual([500, 503]);
    expect(a.headers.get('content-type')).toBe('text/html');
    expect(s.memberships()).toEqual([]);
    expect(s.requests().map((r) => [r.verdict, r.fault, r.applied])).toEqual([
      ['fault', 'http500', false],
      ['fault', 'http503', false],
    ]);
  });

  it('http429 carries the configured Retry-After and applies nothing', async () => {
    const s = await sandboxWith({ faults: { script: ['http429'], retryAfterSeconds: 0.25 } });
    const a = await rawPost(s, v2Body());
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('0.25');
    expect(s.memberships()).toEqual([]);
  });

  it('dropBeforeApply closes the connection without applying', async () => {
    const s = await sandboxWith({ faults: { script: ['dropBeforeApply'] } });
    await expect(rawPost(s, v2Body())).rejects.toThrow();
    expect(s.memberships()).toEqual([]);
    expect(s.requests()[0]).toMatchObject({ status: 0, fault: 'dropBeforeApply', applied: false });
  });

  it('dropAfterApply applies, then closes the connection without answering', async () => {
    const s = await sandboxWith({ faults: { script: ['dropAfterApply'] } });
    await expect(rawPost(s, v2Body())).rejects.toThrow();
    expect(s.memberships()).toHaveLength(1);
    expect(s.requests()[0]).toMatchObject({ status: 0, fault: 'dropAfterApply', applied: true, verdict: 'accepted' });
  });

  it('malformed applies, then answers HTTP 200 with truncated JSON', async () => {
    const s = await sandboxWith({ faults: { script: ['malformed'] } });
    const a = await rawPost(s, v2Body());
    expect(a.status).toBe(200);
    expect(a.json).toBeUndefined();
    expect(a.text.startsWith('{"code":"200"')).toBe(true);
    expect(s.memberships()).toHaveLength(1);
  });

  it('systemError answers HTTP 200 with code "200" but errorCode SYSTEM_ERROR and a batch ID-like data, and applies nothing', async () => {
    const s = await sandboxWith({ faults: { script: ['systemError'] } });
    const a = await rawPost(s, v2Body());
    expect(a.status).toBe(200);
    expect(a.text).toMatch(/^\{"code":"200","errorCode":"SYSTEM_ERROR","msg":"import failed","data":\d{17}\}$/);
    expect(s.memberships()).toEqual([]);
    expect(s.requests()[0]).toMatchObject({ verdict: 'fault', fault: 'systemError', applied: false, code: '200', errorCode: 'SYSTEM_ERROR' });
  });

  it('systemBusy answers HTTP 200 with code "200" but errorCode SYSTEM_BUSY, and applies nothing', async () => {
    const s = await sandboxWith({ faults: { script: ['systemBusy', 'ok'] } });
    const a = await rawPost(s, v2Body());
    expect([a.status, a.json?.code, a.json?.errorCode]).toEqual([200, '200', 'SYSTEM_BUSY']);
    expect(s.memberships()).toEqual([]);
    // The same request again is accepted, with errorCode SUCCESS: a client that retries gets past it.
    const b = await rawPost(s, v2Body());
    expect([b.status, b.json?.code, b.json?.errorCode]).toEqual([200, '200', 'SUCCESS']);
    expect(s.memberships()).toHaveLength(1);
  });

  // No test here races a clock: the answers come 10 minutes late (the sandbox cancels them when it
  // closes), so a client that waits less always gives up, and what the sandbox did is read once it
  // says it has decided the request (onRequest), not after a guessed delay.
  it('slow applies, then holds its answer back', async () => {
    let decided!: () => void;
    const applied = new Promise<void>((resolve) => (decided = resolve));
    const s = await sandboxWith({ faults: { script: ['slow'], slowMs: 600_000 }, onRequest: () => decided() });
    const abort = new AbortController();
    const answer = rawPost(s, v2Body(), { signal: abort.signal }).then(
      () => 'answered',
      () => 'no answer',
    );
    await applied;
    expect(s.memberships()).toHaveLength(1);
    expect(s.requests()[0]).toMatchObject({ fault: 'slow', applied: true, verdict: 'accepted' });
    abort.abort();
    expect(await answer).toBe('no answer');
  });

  it.each([
    ['a slow answer', { faults: { script: ['slow'], slowMs: 600_000 } }],
    ['latency (every answer late)', { latencyMs: 600_000 }],
  ] satisfies [string, SandboxOptions][])('a client that waits less than %s gives up with a timeout', async (_what, options) => {
    const s = await sandboxWith(options);
    const api = createV2Client({ baseUrl: s.url, pathPrefix: '/api/integrate', token: s.token, timeoutMs: 200, retries: 0 });
    const err = await api.sendBatch(smallBatch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe('timeout');
  });

  it('plays the script first ("ok" for no fault), then random faults at the given rate', async () => {
    const s = await sandboxWith({ faults: { script: ['ok', 'http503'], rate: 1, kinds: ['http500'] } });
    for (let i = 0; i < 4; i++) await rawPost(s, v2Body());
    expect(s.requests().map((r) => r.status)).toEqual([200, 503, 500, 500]);
    expect(s.faults().script).toEqual([]);
  });

  it('draws the same random faults from the same seed, and others from another seed', async () => {
    const run = async (seed: number): Promise<(FaultKind | undefined)[]> => {
      const s = await sandboxWith({ seed, faults: { rate: 0.5, kinds: ['http500', 'http503', 'http429'] } });
      for (let i = 0; i < 24; i++) await rawPost(s, v2Body());
      return s.requests().map((r) => r.fault);
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(a.filter((f) => f !== undefined).length).toBeGreaterThan(0);
    expect(a.filter((f) => f === undefined).length).toBeGreaterThan(0);
  });

  it('setFaults replaces the settings and refuses invalid ones', async () => {
    const s = await sandboxWith({ faults: { rate: 1, kinds: ['http500'] } });
    s.setFaults({});
    expect((await rawPost(s, v2Body())).status).toBe(200);
    expect(() => s.setFaults({ rate: 2 })).toThrow(/rate must be a number from 0 to 1/);
    expect(() => s.setFaults({ kinds: ['boom' as FaultKind] })).toThrow(/unknown fault kind "boom"/);
    expect(() => s.setFaults({ script: ['later' as FaultKind] })).toThrow(/unknown fault "later"/);
  });

  it('does not draw faults for unknown paths', async () => {
    const s = await sandboxWith({ faults: { script: ['http500'] } });
    expect((await rawPost(s, v2Body(), { path: '/nope' })).status).toBe(404);
    expect((await rawPost(s, v2Body())).status).toBe(500);
  });
});
