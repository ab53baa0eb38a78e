import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { rawPost, v2Body } from './raw.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ token: 'inspect-me-token' });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.setFaults({});
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/__sandbox${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('sandbox: the inspection API', () => {
  it('GET /__sandbox/state lists memberships with counts', async () => {
    await rawPost(sandbox, v2Body());
    const { status, json } = await call('GET', '/state');
    expect(status).toBe(200);
    expect(json).toEqual({
      persons: 1,
      groups: 1,
      memberships: [{ group: { name: 'g', categoryType: '1' }, person: { id: 1, identities: [{ type: 'phone', value: '18888888888' }] } }],
      customers: { customers: 0, groups: 0, memberships: [] },
    });
  });

  it('GET /__sandbox/requests shows every request with the token redacted and batch IDs exact', async () => {
    const answer = await rawPost(sandbox, v2Body());
    const { text, json } = await call('GET', '/requests');
    const [entry] = json.requests as Record<string, unknown>[];
    const batchId = /"data":(\d+)/.exec(answer.text)?.[1];
    expect(batchId).toMatch(/^\d{17}$/);
    expect(entry).toMatchObject({ seq: 1, method: 'POST', token: 'valid', verdict: 'accepted', status: 200, code: '200', applied: true, batchId });
    expect((entry?.headers as Record<string, string>)['x-token']).toBe('[redacted]');
    expect(entry?.body).toEqual(v2Body());
    expect(text).not.toContain('inspect-me-token');
  });

  it('keeps numbers beyond 2^53 in logged bodies exact in its JSON', async () => {
    const raw = '{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"1","identityType":"phone"}],"groups":"D","categoryType":"2","deptId":9007199254740993}]}';
    await rawPost(sandbox, raw);
    expect((await call('GET', '/requests')).text).toContain('"deptId": 9007199254740993');
    expect(String((sandbox.requests()[0]?.body as { data: { deptId: unknown }[] }).data[0]?.deptId)).toBe('9007199254740993');
  });

  it('GET and PUT /__sandbox/faults read and replace the fault settings', async () => {
    const put = await call('PUT', '/faults', { script: ['http503', 'ok'], retryAfterSeconds: 0.1 });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ rate: 0, script: ['http503', 'ok'], retryAfterSeconds: 0.1 });
    expect((await rawPost(sandbox, v2Body())).status).toBe(503);
    expect((await call('GET', '/faults')).json).toMatchObject({ script: ['ok'] });
    const bad = await call('PUT', '/faults', { rate: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/rate must be/);
  });

  it('POST /__sandbox/reset forgets memberships and requests', async () => {
    await rawPost(sandbox, v2Body());
    expect((await call('POST', '/reset')).json).toEqual({ ok: true });
    expect(sandbox.memberships()).toEqual([]);
    expect(sandbox.requests()).toEqual([]);
  });

  it('answers unknown inspection routes with 404 and the list of routes', async () => {
    const { status, json } = await call('DELETE', '/state');
    expect(status).toBe(404);
    expect(json.error).toMatch(/GET \/__sandbox\/state/);
  });
});
