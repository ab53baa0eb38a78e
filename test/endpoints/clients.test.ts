import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createCustomerClient } from '../../src/api/customer-client.js';
import { createV1Client } from '../../src/api/v1-client.js';
import type { BatchIdApi, MembershipApi } from '../../src/app/ports.js';
import { ApiError } from '../../src/errors/index.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { startBareServer, type BareReply, type BareServer } from '../helpers/bare-server.js';
import { customerBatch, customerItem, id, userBatch, userItem } from './builders.js';

const TOKEN = 'tok-customer-3f9a-secret';
const CUSTOMER_PATH = '/api/integrate/audience/info/batchAdd';
const V1_PATH = '/api/integrate/audience/group/rel/batchAdd';
const CUSTOMER_PARAMS = { isMatching: true, matchingType: 2 as const, identifyWay: 1 as const, optType: { add: 'add', delete: 'delete' } };

let server: BareServer | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await server?.close();
  await sandbox?.close();
  server = undefined;
  sandbox = undefined;
});

const connection = (baseUrl: string, token = TOKEN) => ({ baseUrl, pathPrefix: '/api/integrate', token, timeoutMs: 5_000, retries: 3, retryBaseMs: 1, retryMaxMs: 20 });

async function bareCustomer(reply: () => BareReply): Promise<MembershipApi> {
  server = await startBareServer(reply);
  return createCustomerClient(connection(server.url), CUSTOMER_PARAMS);
}

const envelope = (data: string): BareReply => ({ body: `{"code":"200","errorCode":"SUCCESS","msg":"ok","data":${data}}` });

const twoCustomers = customerBatch('add', customerItem([id('audienceUserId', 'C1')], ['会员']), customerItem([id('phone', '13900000009')], ['会员', 'VIP']));

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('customer client against a bare server', () => {
  it('POSTs the body with X-Token to the customer path; status 1 is accepted without a batch ID', async () => {
    const api = await bareCustomer(() => envelope('{"importSuccessNum":2,"message":"成功","importFailNum":0,"errorData":null,"status":1}'));
    expect(api.endpoint).toBe(`${server!.url}${CUSTOMER_PATH}`);
    expect(await api.sendBatch(twoCustomers)).toEqual({ status: 'accepted', message: '成功' });
    const [req] = server!.requests;
    expect(req!.headers['x-token']).toBe(TOKEN);
    expect(JSON.parse(req!.body)).toEqual({
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' },
      data: [
        { audienceUserId: 'C1', groups: '会员' },
        { phone: '13900000009', groups: '会员,VIP' },
      ],
    });
  });

  it('status 2: a partial receipt naming the failed rows by their position, with the reason', async () => {
    const api = await bareCustomer(() => envelope('{"status":2,"message":"部分导入成功","importSuccessNum":1,"importFailNum":1,"errorData":[{"phone":"13900000009","groups":"会员,VIP"}]}'));
    expect(await api.sendBatch(twoCustomers)).toEqual({ status: 'partial', failed: [{ index: 1, reason: '部分导入成功', groups: ['会员', 'VIP'] }], message: '部分导入成功' });
  });

  it('status 0: an unknown receipt (nothing may be recorded)', async () => {
    const api = await bareCustomer(() => envelope('{"status":0,"message":"导入中","importSuccessNum":0,"importFailNum":0,"errorData":null}'));
    expect(await api.sendBatch(twoCustomers)).toEqual({ status: 'unknown', message: '导入中' });
  });

  it('status -1: an ApiError with the message, never the token, not retried', async () => {
    const api = await bareCustomer(() => envelope(`{"status":-1,"message":"导入失败 ${TOKEN}","importSuccessNum":0,"importFailNum":2,"errorData":null}`));
    const err = await failure(api.sendBatch(twoCustomers));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('data.status -1');
    expect(err.msg).toBe('导入失败 [redacted]');
    expect(server!.requests).toHaveLength(1);
    for (const text of [err.message, String(err.stack), inspect(err, { depth: null })]) expect(text).not.toContain(TOKEN);
  });

  it('a code other than "200" and a malformed result are errors, as on the other endpoints', async () => {
    const rejected = await bareCustomer(() => ({ body: '{"code":"403","errorCode":"FORBIDDEN","msg":"no permission","data":null}' }));
    expect((await failure(rejected.sendBatch(twoCustomers))).kind).toBe('rejected');
    await server!.close();
    const malformed = await bareCustomer(() => envelope('{"status":7}'));
    const err = await failure(malformed.sendBatch(twoCustomers));
    expect(err.kind).toBe('malformed');
    expect(err.message).toContain('data.status is not -1, 0, 1 or 2');
  });

  it('retries a 503 like the other clients (sending a batch again is safe)', async () => {
    let n = 0;
    const api = await bareCustomer(() => (n++ === 0 ? { status: 503, body: 'busy' } : envelope('{"status":1,"message":"成功","importSuccessNum":2,"importFailNum":0,"errorData":null}')));
    expect((await api.sendBatch(twoCustomers)).status).toBe('accepted');
    expect(server!.requests).toHaveLength(2);
  });
});

describe('v1 and customer clients: only code "200" with errorCode SUCCESS acknowledges a request', () => {
  const NOT_SUCCESS = '{"code":"200","errorCode":"SYSTEM_ERROR","msg":"import failed","data":15314513452345125}';

  it('v1: an HTTP 200 with errorCode SYSTEM_ERROR is a failure quoting it, not a batch ID', async () => {
    server = await startBareServer(() => ({ body: NOT_SUCCESS }));
    const v1 = createV1Client(connection(server.url), { isMatching: true, matchingType: 2, identifyWay: 1 });
    const err = await failure(v1.sendBatch(userBatch('add', userItem([id('phone', '13800000001')], ['A']))));
    expect(err).toMatchObject({ kind: 'rejected', errorCode: 'SYSTEM_ERROR', msg: 'import failed', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('v1: a batch ID of 0 or a missing errorCode acknowledges nothing', async () => {
    for (const body of ['{"code":"200","errorCode":"SUCCESS","msg":"ok","data":0}', '{"code":"200","msg":"ok","data":15314513451345123}']) {
      server = await startBareServer(() => ({ body }));
      const v1 = createV1Client(connection(server.url), { isMatching: true, matchingType: 2, identifyWay: 1 });
      await failure(v1.sendBatch(userBatch('add', userItem([id('phone', '13800000001')], ['A']))));
      await server.close();
    }
  });

  it('customer: the same envelope rule comes before the per-row rules (a SUCCESS-less status 1 is a failure)', async () => {
    const notSuccess = await bareCustomer(() => ({
      body: '{"code":"200","errorCode":"SYSTEM_ERROR","msg":"import failed","data":{"status":1,"message":"成功","importSuccessNum":2,"importFailNum":0,"errorData":null}}',
    }));
    const err = await failure(notSuccess.sendBatch(twoCustomers));
    expect(err).toMatchObject({ kind: 'rejected', errorCode: 'SYSTEM_ERROR', retryable: false });
    await server!.close();
    const lowerCase = await bareCustomer(() => ({
      body: '{"code":"200","errorCode":"success","msg":"ok","data":{"status":1,"message":"成功","importSuccessNum":2,"importFailNum":0,"errorData":null}}',
    }));
    expect((await lowerCase.sendBatch(twoCustomers)).status).toBe('accepted');
  });
});

describe('v1 and customer clients against the sandbox', () => {
  async function start(options: SandboxOptions = {}): Promise<{ v1: BatchIdApi; customers: MembershipApi }> {
    sandbox = await startSandbox({ seed: 7, ...options });
    const c = connection(sandbox.url, sandbox.token);
    return {
      v1: createV1Client({ ...c, retries: 12 }, { isMatching: true, matchingType: 2, identifyWay: 1 }),
      customers: createCustomerClient({ ...c, retries: 12 }, CUSTOMER_PARAMS),
    };
  }

  it('v1: the sandbox accepts the client body and answers with an exact batch ID beyond 2^53', async () => {
    const { v1 } = await start();
    expect(v1.endpoint).toBe(`${sandbox!.url}${V1_PATH}`);
    const receipt = await v1.sendBatch(userBatch('add', userItem([id('thirdId', 'T-1'), id('phone', '13800000001')], ['A', 'B'])));
    expect(BigInt(receipt.batchId)).toBeGreaterThan(2n ** 53n);
    expect(receipt.batchId).toBe(sandbox!.requests()[0]!.batchId);
    expect(sandbox!.memberships().map((m) => m.group.name)).toEqual(['A', 'B']);
    expect(sandbox!.memberships()[0]!.person.identities).toEqual([
      { type: 'thirdId', value: 'T-1' },
      { type: 'phone', value: '13800000001' },
    ]);
  });

  it('v1 converges under random faults: every batch acknowledged once with a distinct exact ID', async () => {
    const { v1 } = await start({ faults: { rate: 0.4, kinds: ['http500', 'http503', 'http429', 'dropBeforeApply', 'dropAfterApply', 'malformed'], retryAfterSeconds: 0.01 } });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await v1.sendBatch(userBatch('add', userItem([id('phone', `1390000${String(i).padStart(4, '0')}`)], [`g${i % 3}`])))).batchId);
    expect(new Set(ids).size).toBe(12);
    expect(sandbox!.memberships()).toHaveLength(12);
    expect(sandbox!.requests().some((r) => r.fault !== undefined)).toBe(true);
  });

  it('customer: a refused row comes back as a partial receipt and is not applied; customers stay apart from users', async () => {
    const { customers } = await start({ faults: { failRows: { '13900000009': '客户不存在' } } });
    const receipt = await customers.sendBatch(twoCustomers);
    expect(receipt.status).toBe('partial');
    expect(receipt.failed).toEqual([{ index: 1, reason: expect.stringContaining('客户不存在') as string, groups: ['会员', 'VIP'] }]);
    expect(sandbox!.customerMemberships()).toEqual([{ group: '会员', customer: { id: 1, identities: [{ type: 'audienceUserId', value: 'C1' }] } }]);
    expect(sandbox!.memberships()).toEqual([]);
  });

  it('customer: scripted in-progress and failed results reach the client as unknown and as an ApiError', async () => {
    const { customers } = await start({ faults: { customerResults: ['inProgress', 'failed'] } });
    expect(await customers.sendBatch(twoCustomers)).toMatchObject({ status: 'unknown' });
    expect((await failure(customers.sendBatch(twoCustomers))).message).toContain('data.status -1');
    expect(await customers.sendBatch(twoCustomers)).toMatchObject({ status: 'accepted' });
  });

  it('customer: optType sent as numbers is understood by the sandbox (1 add, 2 delete)', async () => {
    await start();
    const numbers = createCustomerClient(connection(sandbox!.url, sandbox!.token), { ...CUSTOMER_PARAMS, optType: { add: 1, delete: 2 } });
    await numbers.sendBatch(twoCustomers);
    expect(sandbox!.customerMemberships()).toHaveLength(3);
    await numbers.sendBatch(customerBatch('delete', customerItem([id('phone', '13900000009')], ['VIP'])));
    expect(
      sandbox!
        .customerMemberships()
        .map((m) => m.group)
        .sort(),
    ).toEqual(['会员', '会员']);
    expect(String((sandbox!.requests()[1]!.body as { publicParams: { optType: unknown } }).publicParams.optType)).toBe('2');
  });
});
