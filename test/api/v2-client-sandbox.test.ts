import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createV2Client, type ApiClientOptions } from '../../src/api/v2-client.js';
import type { BatchIdApi } from '../../src/app/ports.js';
import { ApiError } from '../../src/errors/index.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { batch, item, phone } from './batch-builders.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setUp(options: SandboxOptions = {}, client: Partial<ApiClientOptions> = {}): Promise<{ api: BatchIdApi; sandbox: Sandbox }> {
  sandbox = await startSandbox(options);
  const api = createV2Client({ baseUrl: sandbox.url, pathPrefix: '/api/integrate', token: sandbox.token, timeoutMs: 2_000, retries: 8, retryBaseMs: 1, retryMaxMs: 20, ...client });
  return { api, sandbox };
}

const openid = { type: 'openid', value: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', platform: 'gzh', appid: 'wx1234567890abcdef', isWeChatEcosystem: true };

describe('v2 client against the sandbox', () => {
  it('adds and deletes memberships, and returns each batch ID exactly', async () => {
    const { api, sandbox } = await setUp();
    const add = batch(
      'add',
      item([phone('18888888888'), { type: 'unionid', value: 'oUpF8u' }], ['VIP客户', 'newsletter']),
      item([openid], ['研发'], { field: 'deptId', value: '9123456789012345678' }),
      item([phone('13900000000')], ['华东销售'], { field: 'wxDeptId', value: '1001' }),
    );
    expect((await api.sendBatch(add)).batchId).toBe('15314513451345123');
    expect(sandbox.memberships().map((m) => `${m.group.name}:${m.person.identities[0]?.value}`)).toEqual([
      'VIP客户:18888888888',
      'newsletter:18888888888',
      '研发:o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
      '华东销售:13900000000',
    ]);
    expect(sandbox.memberships().find((m) => m.group.name === '研发')?.group.department).toEqual({ field: 'deptId', value: '9123456789012345678' });
    expect(sandbox.memberships()[0]?.person.identities).toEqual([
      { type: 'phone', value: '18888888888' },
      { type: 'unionid', value: 'oUpF8u' },
    ]);
    // Deleting by the second identity finds the same person.
    expect((await api.sendBatch(batch('delete', item([{ type: 'unionid', value: 'oUpF8u' }], ['newsletter'])))).batchId).toBe('15314513451345124');
    expect(sandbox.memberships().map((m) => m.group.name)).toEqual(['VIP客户', '研发', '华东销售']);
    expect(sandbox.requests().map((r) => [r.verdict, r.warnings])).toEqual([
      ['accepted', []],
      ['accepted', []],
    ]);
  });

  it('sends a body the strict contract accepts, with the token header and no isMatching', async () => {
    const { api, sandbox } = await setUp({}, { matchingType: 2 });
    await api.sendBatch(batch('add', item([openid], ['g'])));
    const [seen] = sandbox.requests();
    expect(seen?.token).toBe('valid');
    expect(seen?.body).toEqual({
      publicParams: { optType: 'add', matchingType: 2 },
      data: [{ identities: [{ identityValue: openid.value, identityType: 'openid', platform: 'gzh', appid: openid.appid, isWeChatEcosystem: true }], groups: 'g', categoryType: '1' }],
    });
  });

  it('sends 500 items in one request', async () => {
    const { api, sandbox } = await setUp();
    const items = Array.from({ length: 500 }, (_, i) => item([phone(`1380000${String(i).padStart(4, '0')}`)], ['big']));
    await api.sendBatch(batch('add', ...items));
    expect(sandbox.requests()).toHaveLength(1);
    expect(sandbox.memberships()).toHaveLength(500);
  });

  it('maps a contract rejection (HTTP 200, code "400") to an ApiError with errorCode and msg, without retrying', async () => {
    const { api, sandbox } = await setUp();
    const err = await api.sendBatch(batch('add', item([phone('1')], [' padded']))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'rejected', status: 200, errorCode: 'PARAM_ERROR', retryable: false, attempts: 1 });
    expect((err as ApiError).msg).toMatch(/starts or ends with a space/);
    expect(sandbox.requests()).toHaveLength(1);
  });

  it('fails clearly on a rejected token, once, without printing it', async () => {
    sandbox = await startSandbox({ token: 'the-right-token' });
    const wrong = 'a-wrong-but-secret-token';
    const api = createV2Client({ baseUrl: sandbox.url, pathPrefix: '/api/integrate', token: wrong, timeoutMs: 2_000, retries: 5, retryBaseMs: 1 });
    const err = (await api.sendBatch(batch('add', item([phone('1')], ['g']))).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ kind: 'http', status: 401, errorCode: 'UNAUTHORIZED', attempts: 1 });
    expect(err.message).toMatch(/RABBITPRE_TOKEN/);
    for (const text of [String(err), err.message, JSON.stringify(err), inspect(err, { depth: null, showHidden: true })]) expect(text).not.toContain(wrong);
    expect(sandbox.requests()).toHaveLength(1);
  });

  it('reports a wrong path prefix as 404 with the base URL hint', async () => {
    const { api } = await setUp({}, { pathPrefix: '/api/open' });
    const err = (await api.sendBatch(batch('add', item([phone('1')], ['g']))).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ status: 404, retryable: false });
    expect(err.hint).toMatch(/RABBITPRE_BASE_URL/);
  });

  it('gets through every fault by retrying, and the membership is there exactly once', async () => {
    const retries: string[] = [];
    const script = ['http429', 'dropBeforeApply', 'dropAfterApply', 'malformed', 'http500', 'http503', 'ok'] as const;
    const { api, sandbox } = await setUp({ faults: { script, retryAfterSeconds: 0.01 } }, { onRetry: (r) => retries.push(r.reason) });
    const receipt = await api.sendBatch(batch('add', item([phone('1')], ['g'])));
    expect(sandbox.requests()).toHaveLength(7);
    expect(retries).toHaveLength(6);
    expect(receipt.batchId).toBe(sandbox.requests().at(-1)?.batchId);
    expect(sandbox.requests().filter((r) => r.applied)).toHaveLength(3);
    expect(sandbox.memberships()).toHaveLength(1);
  });

  it('converges under random faults: 20 batches, every one acknowledged with a distinct exact ID', async () => {
    const { api, sandbox } = await setUp(
      { seed: 42, faults: { rate: 0.4, kinds: ['http500', 'http503', 'http429', 'dropBeforeApply', 'dropAfterApply', 'malformed'], retryAfterSeconds: 0.01 } },
      { retries: 12 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await api.sendBatch(batch('add', item([phone(`1390000${String(i).padStart(4, '0')}`)], [`g${i % 3}`])))).batchId);
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(BigInt(id)).toBeGreaterThan(2n ** 53n);
    expect(sandbox.memberships()).toHaveLength(20);
    expect(sandbox.requests().some((r) => r.fault !== undefined)).toBe(true);
  });
});
