import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyWorkspace, type ApplyDeps } from '../../src/app/apply.js';
import { planWorkspace } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { ApiError, InternalError } from '../../src/errors/index.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { FakeApi } from '../apply/fake-api.js';
import { groupYaml, membershipKeys, phones, tempWorkspace } from '../apply/workspace-fixture.js';
import { FakeCustomerApi } from './fake-customer-api.js';

const STATE = '.groupops/snapshot.json';
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A customer group file. */
function customerYaml(name: string, values: readonly string[]): string {
  if (values.length === 0) return `name: ${name}\nkind: customer\nmembers: []\n`;
  return `name: ${name}\nkind: customer\nmembers:\n${values.map((v) => `  - phone: "${v}"\n`).join('')}`;
}

async function workspace(files: Record<string, string>) {
  const ws = await tempWorkspace(files);
  cleanup = ws.cleanup;
  return ws;
}

function deps(api: FakeApi, customerApi: FakeCustomerApi | undefined): ApplyDeps {
  let tick = 0;
  return {
    api,
    ...(customerApi ? { customerApi } : {}),
    fileSystem: nodeFileSystem(),
    concurrency: 2,
    clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, tick++)),
    gitCommit: async () => null,
    toolVersion: '9.9.9',
  };
}

const apply = async (dir: string, api: FakeApi, customerApi?: FakeCustomerApi) => applyWorkspace(await openWorkspace({ cwd: dir }), deps(api, customerApi));
const snapshotKeys = async (dir: string) => membershipKeys((await readSnapshot(nodeFileSystem(), join(dir, STATE))).snapshot.applied);
const desiredKeys = async (dir: string) => membershipKeys((await planWorkspace(await openWorkspace({ cwd: dir }), nodeFileSystem())).desired.state);
const held = (api: FakeApi, customers: FakeCustomerApi) => new Set([...api.held, ...customers.held]);

describe('apply with user and customer groups', () => {
  it('sends user groups to the user endpoint and customer groups to the customer endpoint in one run', async () => {
    const ws = await workspace({ 'groups/users.yaml': groupYaml('会员', phones(0, 600)), 'groups/customers.yaml': customerYaml('会员', phones(0, 30)) });
    const api = new FakeApi();
    const customers = new FakeCustomerApi();
    const outcome = await apply(ws.dir, api, customers);
    expect(outcome.status).toBe('applied');
    expect(api.log.map((r) => [r.op, r.items])).toEqual([
      ['add', 500],
      ['add', 100],
    ]);
    expect(customers.log.map((r) => [r.op, r.items])).toEqual([['add', 30]]);
    expect(held(api, customers)).toEqual(await desiredKeys(ws.dir));
    expect(await snapshotKeys(ws.dir)).toEqual(await desiredKeys(ws.dir));
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply).toMatchObject({ endpoint: api.endpoint, complete: true });
    expect(snapshot.lastApply!.requests).toEqual([
      { op: 'add', items: 500, batchId: api.issued[0] },
      { op: 'add', items: 100, batchId: api.issued[1] },
      { op: 'add', items: 30, endpoint: customers.endpoint },
    ]);
    expect(outcome.requests.at(-1)).toMatchObject({ target: 'customer', status: 'accepted', failed: [], endpoint: customers.endpoint });
    expect(outcome.requests.at(-1)).not.toHaveProperty('batchId');
  });

  it('records only the rows the customer endpoint confirmed, reports the others, and the next apply retries them', async () => {
    const ws = await workspace({ 'groups/customers.yaml': customerYaml('会员', ['13900000001', '13900000002', '13900000003']) });
    const api = new FakeApi();
    const customers = new FakeCustomerApi();
    customers.failing.set('13900000002', '客户不存在');
    const first = await apply(ws.dir, api, customers);
    expect(first.status).toBe('partial');
    expect(first.requests).toHaveLength(1);
    expect(first.requests[0]).toMatchObject({
      status: 'partial',
      message: '部分导入成功',
      failed: [{ member: { identities: [{ type: 'phone', value: '13900000002' }] }, groups: ['会员'], reason: '客户不存在' }],
    });
    // Nothing the API did not confirm: the snapshot holds exactly what the fake platform holds.
    expect(await snapshotKeys(ws.dir)).toEqual(customers.held);
    expect(customers.held.size).toBe(2);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply).toMatchObject({ complete: true, requests: [{ op: 'add', items: 2, endpoint: customers.endpoint, status: 'partial', notApplied: 1 }] });

    const replan = await planWorkspace(await openWorkspace({ cwd: ws.dir }), nodeFileSystem());
    expect(replan.plan.changes.map((c) => `${c.op} ${c.member.identities[0]!.value}`)).toEqual(['add 13900000002']);

    // Still failing: still pending, nothing else sent.
    const second = await apply(ws.dir, api, customers);
    expect(second.status).toBe('partial');
    expect(customers.log.at(-1)).toMatchObject({ items: 1, failed: 1 });
    // Retrying a failing row does not pile requests up in the snapshot.
    expect((await readSnapshot(nodeFileSystem(), join(ws.dir, STATE))).snapshot.lastApply!.requests).toEqual([{ op: 'add', items: 0, endpoint: customers.endpoint, status: 'partial', notApplied: 1 }]);

    customers.failing.clear();
    const third = await apply(ws.dir, api, customers);
    expect(third.status).toBe('applied');
    expect(await snapshotKeys(ws.dir)).toEqual(await desiredKeys(ws.dir));
    expect((await readSnapshot(nodeFileSystem(), join(ws.dir, STATE))).snapshot.lastApply!.complete).toBe(true);
    expect((await apply(ws.dir, api, customers)).status).toBe('unchanged');
    expect(api.log).toEqual([]);
  });

  it('keeps the other groups of a row that failed for one of its groups', async () => {
    const ws = await workspace({ 'groups/a.yaml': customerYaml('A', ['1', '2']), 'groups/b.yaml': customerYaml('B', ['1']) });
    const customers = new FakeCustomerApi();
    customers.failing.set('1', 'B 已满');
    customers.failGroups.set('1', ['B']);
    const outcome = await apply(ws.dir, new FakeApi(), customers);
    expect(outcome.requests[0]!.failed).toEqual([{ member: { identities: [{ type: 'phone', value: '1' }] }, groups: ['B'], reason: 'B 已满' }]);
    expect(await snapshotKeys(ws.dir)).toEqual(customers.held);
    expect(customers.held.size).toBe(2);
  });

  it('a failed delete stays recorded, so the next apply deletes it again', async () => {
    const ws = await workspace({ 'groups/c.yaml': customerYaml('C', ['1', '2']) });
    const customers = new FakeCustomerApi();
    await apply(ws.dir, new FakeApi(), customers);
    await ws.write({ 'groups/c.yaml': customerYaml('C', []) });
    customers.failing.set('2', '删除失败');
    const outcome = await applyWorkspace(await openWorkspace({ cwd: ws.dir }), deps(new FakeApi(), customers), { allowMassDelete: true });
    expect(outcome.status).toBe('partial');
    expect(await snapshotKeys(ws.dir)).toEqual(customers.held);
    expect([...customers.held].map((k) => k.split('|')[1]!.split('\u001f')[1])).toEqual(['2']);
    customers.failing.clear();
    expect((await applyWorkspace(await openWorkspace({ cwd: ws.dir }), deps(new FakeApi(), customers), { allowMassDelete: true })).status).toBe('applied');
    expect(customers.held.size).toBe(0);
    expect((await snapshotKeys(ws.dir)).size).toBe(0);
  });

  it('status 0 (in progress): nothing recorded, reported as not confirmed, sent again next time', async () => {
    const ws = await workspace({ 'groups/users.yaml': groupYaml('U', phones(0, 2)), 'groups/c.yaml': customerYaml('C', ['1', '2']) });
    const api = new FakeApi();
    const customers = new FakeCustomerApi((n) => (n === 1 ? 'unknown' : 'ok'));
    const first = await apply(ws.dir, api, customers);
    expect(first.status).toBe('partial');
    expect(first.requests.find((r) => r.target === 'customer')).toMatchObject({ status: 'unknown', message: '导入中', failed: [] });
    // The fake applied the rows (the import runs on), but the snapshot holds only the user groups.
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply!.requests.find((r) => r.endpoint === customers.endpoint)).toEqual({ op: 'add', items: 0, endpoint: customers.endpoint, status: 'unknown', notApplied: 2 });
    const second = await apply(ws.dir, api, customers);
    expect(second.status).toBe('applied');
    expect(customers.log.map((r) => r.items)).toEqual([2, 2]);
    expect(await snapshotKeys(ws.dir)).toEqual(held(api, customers));
  });

  it('status -1: the request fails as an ApiError and records nothing of it; acknowledged user requests stay recorded', async () => {
    const ws = await workspace({ 'groups/users.yaml': groupYaml('U', phones(0, 3)), 'groups/c.yaml': customerYaml('C', ['1']) });
    const api = new FakeApi();
    const customers = new FakeCustomerApi(() => 'failed');
    const outcome = await apply(ws.dir, api, customers);
    expect(outcome.status).toBe('failed');
    expect(outcome.failure).toBeInstanceOf(ApiError);
    expect(customers.held.size).toBe(0);
    for (const key of await snapshotKeys(ws.dir)) expect(api.held.has(key)).toBe(true);
  });

  it('refuses to send customer batches without a customer endpoint, before sending anything', async () => {
    const ws = await workspace({ 'groups/users.yaml': groupYaml('U', phones(0, 1)), 'groups/c.yaml': customerYaml('C', ['1']) });
    const api = new FakeApi();
    await expect(apply(ws.dir, api)).rejects.toThrow(InternalError);
    expect(api.log).toEqual([]);
  });
});
