import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyWorkspace, type ApplyDeps, type ApplyOptions } from '../../src/app/apply.js';
import { planWorkspace } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { ApiError, UnsafePlanError } from '../../src/errors/index.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { FakeApi } from './fake-api.js';
import { groupYaml, membershipKeys, phones, tempWorkspace } from './workspace-fixture.js';

const STATE = '.groupops/snapshot.json';
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function workspace(files: Record<string, string>) {
  const ws = await tempWorkspace(files);
  cleanup = ws.cleanup;
  return ws;
}

function deps(api: FakeApi, more: Partial<ApplyDeps> = {}): ApplyDeps {
  let tick = 0;
  return {
    api,
    fileSystem: nodeFileSystem(),
    concurrency: 1,
    clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, tick++)),
    gitCommit: async () => 'c0ffee'.padEnd(40, '0'),
    toolVersion: '9.9.9',
    ...more,
  };
}

async function apply(dir: string, api: FakeApi, options: ApplyOptions = {}, more: Partial<ApplyDeps> = {}) {
  return applyWorkspace(await openWorkspace({ cwd: dir }), deps(api, more), options);
}

async function snapshotKeys(dir: string): Promise<Set<string>> {
  return membershipKeys((await readSnapshot(nodeFileSystem(), join(dir, STATE))).snapshot.applied);
}

async function desiredKeys(dir: string): Promise<Set<string>> {
  return membershipKeys((await planWorkspace(await openWorkspace({ cwd: dir }), nodeFileSystem())).desired.state);
}

describe('applyWorkspace', () => {
  it('applies, records every batch ID exactly, and a second apply sends nothing', async () => {
    const ws = await workspace({
      'groups/vip.yaml': groupYaml('VIP', phones(0, 700)),
      'groups/rd.yaml': groupYaml('研发', phones(500, 520), '1001'),
    });
    const api = new FakeApi();
    const first = await apply(ws.dir, api);
    expect(first.status).toBe('applied');
    // 700 + 20 items in one operation: ceil(720 / 500) = 2 requests.
    expect(api.log.map((r) => [r.op, r.items])).toEqual([
      ['add', 500],
      ['add', 220],
    ]);
    expect(api.held).toEqual(await desiredKeys(ws.dir));
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
    const text = await readFile(join(ws.dir, STATE), 'utf8');
    expect(text).toContain('"batchId":"15314513451345123"');
    expect(text).toContain('"batchId":"15314513451345124"');
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply).toMatchObject({ commit: 'c0ffee'.padEnd(40, '0'), toolVersion: '9.9.9', endpoint: api.endpoint, complete: true });
    expect(snapshot.lastApply?.requests.map((r) => r.batchId)).toEqual(api.issued);
    await expect(stat(join(ws.dir, `${STATE}.journal`))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(ws.dir, `${STATE}.lock`))).rejects.toThrow(/ENOENT/);

    const second = await apply(ws.dir, api);
    expect(second.status).toBe('unchanged');
    expect(second.snapshotWritten).toBe(false);
    expect(api.log).toHaveLength(2);
    expect(await readFile(join(ws.dir, STATE), 'utf8')).toBe(text);
  });

  it('sends every delete before any add, also with several requests in flight', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 1600)) });
    const api = new FakeApi(
      () => 'ok',
      (n) => (n % 3) * 5,
    );
    await apply(ws.dir, api);
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(1400, 1600)), 'groups/b.yaml': groupYaml('B', phones(0, 1100)) });
    const before = api.log.length;
    const outcome = await apply(ws.dir, api, { allowMassDelete: true }, { concurrency: 3 });
    const ops = api.log.slice(before).map((r) => r.op);
    expect(ops).toEqual(['delete', 'delete', 'delete', 'add', 'add', 'add']);
    expect(api.maxInFlight).toBe(3);
    expect(outcome.requests.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(api.held).toEqual(await desiredKeys(ws.dir));
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
  });

  it('has every delete synced to the journal before the first add goes out', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 1200)) });
    await apply(ws.dir, new FakeApi());
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(1000, 1200)), 'groups/b.yaml': groupYaml('B', phones(5000, 5001)) });
    let journaledDeletes = -1;
    const api = new FakeApi(
      (_, batch) => {
        if (batch.op === 'add' && journaledDeletes < 0) {
          const lines = readFileSync(join(ws.dir, `${STATE}.journal`), 'utf8')
            .trim()
            .split('\n')
            .slice(1);
          journaledDeletes = lines.filter((l) => (JSON.parse(l) as { op: string }).op === 'delete').length;
        }
        return 'ok';
      },
      (n) => (n === 2 ? 20 : 0),
    );
    await apply(ws.dir, api, { allowMassDelete: true }, { concurrency: 2 });
    expect(api.log.map((r) => r.op)).toEqual(['delete', 'delete', 'add']);
    expect(journaledDeletes).toBe(2);
  });

  it('after a failed request records exactly the acknowledged ones and the next apply sends the rest', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 2000)) });
    // Request 2 is rejected; request 3 never starts.
    const api = new FakeApi((n) => (n === 2 ? 'reject' : 'ok'));
    const failed = await apply(ws.dir, api);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toBeInstanceOf(ApiError);
    expect(api.log).toHaveLength(2);
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
    expect(api.held.size).toBe(500);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply).toMatchObject({ complete: false, requests: [{ op: 'add', items: 500, batchId: api.issued[0] }] });

    const resumed = await apply(ws.dir, api);
    expect(resumed.status).toBe('applied');
    expect(api.log.slice(2).map((r) => r.items)).toEqual([500, 500, 500]);
    expect(api.held).toEqual(await desiredKeys(ws.dir));
    const final = (await readSnapshot(nodeFileSystem(), join(ws.dir, STATE))).snapshot.lastApply;
    // The batch IDs of the incomplete apply stay listed until an apply completes.
    expect(final?.complete).toBe(true);
    expect(final?.requests.map((r) => r.batchId)).toEqual(api.issued);
  });

  it('records what requests in flight acknowledged after another one failed', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 2500)) });
    // Request 1 fails fast while 2 and 3 are slow and succeed; 4 and 5 must never be sent.
    const api = new FakeApi(
      (n) => (n === 1 ? 'reject' : 'ok'),
      (n) => (n === 1 ? 0 : 30),
    );
    const outcome = await apply(ws.dir, api, {}, { concurrency: 3 });
    expect(outcome.status).toBe('failed');
    expect(api.log).toHaveLength(3);
    expect(outcome.requests.map((r) => r.index)).toEqual([1, 2]);
    expect(api.held.size).toBe(1000);
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
  });

  it('never records a request whose answer was lost, even though the platform applied it', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 10)) });
    const api = new FakeApi((n) => (n === 1 ? 'apply-then-reject' : 'ok'));
    const failed = await apply(ws.dir, api);
    expect(failed.status).toBe('failed');
    expect(failed.snapshotWritten).toBe(false);
    await expect(stat(join(ws.dir, STATE))).rejects.toThrow(/ENOENT/);
    const again = await apply(ws.dir, api);
    expect(again.status).toBe('applied');
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
  });

  it('stops starting requests when interrupted and records the ones in flight', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 1500)) });
    const controller = new AbortController();
    // The interrupt comes the moment request 2 (of 3) reaches the API, before it is answered: it is
    // in flight by construction, not because a timer happened to outlast a journal sync.
    const api = new FakeApi((n) => {
      if (n === 2) controller.abort();
      return 'ok';
    });
    const outcome = await apply(ws.dir, api, {}, { signal: controller.signal });
    expect(outcome.status).toBe('interrupted');
    expect(api.log).toHaveLength(2);
    expect(outcome.requests.map((r) => r.index)).toEqual([0, 1]);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    expect(snapshot.lastApply?.complete).toBe(false);
    expect(snapshot.lastApply?.requests.map((r) => r.batchId)).toEqual(api.issued);
    expect(api.held.size).toBe(1000);
    expect(await snapshotKeys(ws.dir)).toEqual(api.held);
  });

  it('resumes from the disk as a kill mid-apply leaves it, without re-sending what the journal recorded', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 600)), 'groups/b.yaml': groupYaml('B', phones(0, 1500)) });
    const api = new FakeApi();
    await apply(ws.dir, api);
    await ws.write({ 'groups/a.yaml': null, 'groups/c.yaml': groupYaml('C', phones(0, 1000)) });
    // Capture the state files while request 3 (the first add) is in flight: what a SIGKILL then leaves on disk.
    const files = [STATE, `${STATE}.journal`];
    let disk: (string | undefined)[] = [];
    let platform = new Set<string>();
    const capturing = new FakeApi((n) => {
      if (n === 3) {
        platform = new Set(capturing.held);
        disk = files.map((f) => {
          try {
            return readFileSync(join(ws.dir, f), 'utf8');
          } catch {
            return undefined;
          }
        });
      }
      return 'ok';
    });
    for (const k of api.held) capturing.held.add(k);
    expect((await apply(ws.dir, capturing, { allowMassDelete: true })).requests).toHaveLength(4);
    expect(disk[1]).toBeDefined();
    // Put the disk and the platform back as they were at the kill.
    await ws.write({ [STATE]: disk[0]!, [`${STATE}.journal`]: disk[1]! });
    const resumedApi = new FakeApi();
    for (const k of platform) resumedApi.held.add(k);
    expect(await snapshotKeys(ws.dir)).toEqual(platform);
    const resumed = await apply(ws.dir, resumedApi);
    expect(resumed.status).toBe('applied');
    expect(resumed.recovered).toBe(2);
    expect(resumedApi.log.map((r) => [r.op, r.items])).toEqual([
      ['add', 500],
      ['add', 500],
    ]);
    expect(resumedApi.held).toEqual(await desiredKeys(ws.dir));
    expect(await snapshotKeys(ws.dir)).toEqual(resumedApi.held);
    const lastApply = (await readSnapshot(nodeFileSystem(), join(ws.dir, STATE))).snapshot.lastApply;
    expect(lastApply?.requests.map((r) => r.batchId)).toEqual([...capturing.issued.slice(0, 2), ...resumedApi.issued]);
  });

  it('folds a journal left by a kill before planning, then deletes it', async () => {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, 1000)) });
    const api = new FakeApi();
    await apply(ws.dir, api);
    const snapshotText = await readFile(join(ws.dir, STATE), 'utf8');
    // A kill right after the snapshot rename and before the journal delete: the journal is stale.
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(ws.dir, STATE));
    const header = { journal: 1, applyId: snapshot.lastApply!.applyId, base: null, commit: null, endpoint: api.endpoint, toolVersion: '9.9.9', started: '2024-05-01T10:00:00.000Z' };
    await writeFile(join(ws.dir, `${STATE}.journal`), `${JSON.stringify(header)}\n`);
    const again = await apply(ws.dir, api);
    expect(again.status).toBe('unchanged');
    expect(api.log).toHaveLength(2);
    expect(await readFile(join(ws.dir, STATE), 'utf8')).toBe(snapshotText);
    await expect(stat(join(ws.dir, `${STATE}.journal`))).rejects.toThrow(/ENOENT/);
  });
});

describe('applyWorkspace safety refusals send nothing and change nothing', () => {
  async function appliedWorkspace(count: number) {
    const ws = await workspace({ 'groups/a.yaml': groupYaml('A', phones(0, count)) });
    const api = new FakeApi();
    await apply(ws.dir, api);
    const text = await readFile(join(ws.dir, STATE), 'utf8');
    api.log.length = 0;
    return { ws, api, text };
  }

  async function expectRefused(dir: string, api: FakeApi, text: string, options: ApplyOptions, message: RegExp) {
    const attempt = apply(dir, api, options);
    await expect(attempt).rejects.toThrow(UnsafePlanError);
    await expect(attempt).rejects.toThrow(message);
    expect(api.log).toHaveLength(0);
    expect(await readFile(join(dir, STATE), 'utf8')).toBe(text);
    await expect(stat(join(dir, `${STATE}.journal`))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, `${STATE}.lock`))).rejects.toThrow(/ENOENT/);
  }

  it('refuses a mass delete unless allowed or within --max-deletes', async () => {
    const { ws, api, text } = await appliedWorkspace(100);
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(0, 70)) });
    await expectRefused(ws.dir, api, text, {}, /deletes 30 of 100 applied memberships \(30%\)[\s\S]*--allow-mass-delete/);
    await expectRefused(ws.dir, api, text, { maxDeletes: 29 }, /more than --max-deletes 29/);
    expect((await apply(ws.dir, api, { maxDeletes: 30 })).status).toBe('applied');
    expect(api.log.map((r) => r.op)).toEqual(['delete']);
  });

  it('honours the config limits', async () => {
    const { ws, api, text } = await appliedWorkspace(10);
    await ws.write({ '.groupops/config.yaml': 'safety:\n  maxDeletePercent: 10\n  maxDeleteCount: 1\n', 'groups/a.yaml': groupYaml('A', phones(0, 8)) });
    await expectRefused(ws.dir, api, text, {}, /deletes 2 of 10/);
  });

  it('honours the absolute cap of the config (safety.maxDeleteTotal) below the share limit', async () => {
    const { ws, api, text } = await appliedWorkspace(100);
    await ws.write({ '.groupops/config.yaml': 'safety:\n  maxDeleteTotal: 3\n', 'groups/a.yaml': groupYaml('A', phones(0, 96)) });
    await expectRefused(
      ws.dir,
      api,
      text,
      {},
      /deletes 4 of 100 applied memberships \(4%\), more than 3 in total \(the absolute cap: config safety.maxDeleteTotal\)[\s\S]*raise safety.maxDeleteTotal/,
    );
    expect((await apply(ws.dir, api, { maxDeletes: 4 })).status).toBe('applied');
  });

  it('refuses a missing groups folder even with --allow-mass-delete, and an empty one without it', async () => {
    const { ws, api, text } = await appliedWorkspace(5);
    const missing = applyWorkspace(await openWorkspace({ cwd: ws.dir, groups: 'no-such-folder' }), deps(api), { allowMassDelete: true });
    await expect(missing).rejects.toThrow(/groups folder "no-such-folder" does not exist[\s\S]*create "no-such-folder" empty/);
    expect(api.log).toHaveLength(0);
    expect(await readFile(join(ws.dir, STATE), 'utf8')).toBe(text);
    await ws.write({ 'groups/a.yaml': null });
    await expectRefused(ws.dir, api, text, {}, /declares no memberships/);
    expect((await apply(ws.dir, api, { allowMassDelete: true })).status).toBe('applied');
    expect(api.held.size).toBe(0);
  });

  it('refuses a plan whose checksum is not the expected one', async () => {
    const { ws, api, text } = await appliedWorkspace(5);
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(0, 6)) });
    const { plan } = await planWorkspace(await openWorkspace({ cwd: ws.dir }), nodeFileSystem());
    await expectRefused(ws.dir, api, text, { expectPlan: '0'.repeat(64) }, /not the expected 0{64}/);
    expect((await apply(ws.dir, api, { expectPlan: plan.checksum })).status).toBe('applied');
  });

  it('refuses when the snapshot changes between planning and sending (another writer won the race)', async () => {
    const { ws, api } = await appliedWorkspace(5);
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(0, 6)) });
    const changed = (await readFile(join(ws.dir, STATE), 'utf8')).replace('"complete":true', '"complete":false');
    const attempt = apply(ws.dir, api, {}, { progress: { planned: () => writeFileSync(join(ws.dir, STATE), changed) } });
    await expect(attempt).rejects.toThrow(UnsafePlanError);
    await expect(attempt).rejects.toThrow(/changed while the plan was being made[\s\S]*groupops plan again/);
    expect(api.log).toHaveLength(0);
    expect(await readFile(join(ws.dir, STATE), 'utf8')).toBe(changed);
  });

  it("refuses while another live apply holds the lock, and takes over a dead one's lock", async () => {
    const { ws, api, text } = await appliedWorkspace(5);
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(0, 6)) });
    const lock = join(ws.dir, `${STATE}.lock`);
    await writeFile(lock, JSON.stringify({ pid: process.ppid, host: hostname(), started: '2024-05-01T00:00:00Z' }));
    const attempt = apply(ws.dir, api);
    await expect(attempt).rejects.toThrow(new RegExp(`another apply is running \\(process ${process.ppid}`));
    expect(api.log).toHaveLength(0);
    expect(await readFile(join(ws.dir, STATE), 'utf8')).toBe(text);
    // A pid that cannot be alive: the lock of a killed apply.
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: '2024-05-01T00:00:00Z' }));
    expect((await apply(ws.dir, api)).status).toBe('applied');
  });
});
