import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { STATE, createRepo, desiredKeys, groupYaml, holdsExactly, phones, requestOps, runGroupops, sandboxEnv, snapshotKeys, type TempRepo } from '../helpers/apply-env.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

let sandbox: Sandbox;
let repo: TempRepo | undefined;
const own = ownedPerTest();

beforeEach(async () => {
  sandbox = own(await startSandbox());
});

const acceptedBatchIds = (): string[] => sandbox.requests().flatMap((r) => (r.verdict === 'accepted' && r.batchId ? [r.batchId] : []));

async function applied(files: Record<string, string>): Promise<TempRepo> {
  repo = own(await createRepo(files));
  const first = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
  expect(first.code, first.stderr).toBe(0);
  return repo;
}

describe('groupops apply (end to end, against the sandbox)', () => {
  it('applies the shipped groups, records the commit and every batch ID exactly; a second apply sends nothing', async () => {
    repo = own(await createRepo({}, { shippedGroups: true }));
    const first = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');
    const ids = acceptedBatchIds();
    expect(ids).toHaveLength(1);
    expect(BigInt(ids[0]!)).toBeGreaterThan(2n ** 53n);
    expect(first.stdout).toContain(`add 14 items -> batch ${ids[0]}`);
    expect(first.stderr).toMatch(new RegExp(`\\[[12]/2\\] add 14 items -> batch ${ids[0]}`));
    // The shipped customer group goes to the customer-group endpoint, which answers without a batch ID.
    expect(first.stdout).toContain('add 3 items -> customer groups: applied');
    const want = await desiredKeys(repo);
    expect(holdsExactly(sandbox, want)).toBe(true);
    expect(await snapshotKeys(repo)).toEqual(want);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(repo.dir, STATE));
    expect(snapshot.lastApply).toMatchObject({
      commit: repo.head(),
      endpoint: `${sandbox.url}/api/integrate/audience/group/rel/v2/batchAdd`,
      complete: true,
      requests: [
        { op: 'add', items: 14, batchId: ids[0] },
        { op: 'add', items: 3, endpoint: `${sandbox.url}/api/integrate/audience/info/batchAdd` },
      ],
    });
    const text = await repo.snapshotText();
    expect(text).toContain(`"batchId":"${ids[0]}"`);

    const second = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Nothing to apply: nothing was sent.');
    expect(sandbox.requests()).toHaveLength(2);
    expect(await repo.snapshotText()).toBe(text);
  });

  it('sends a removal, a move between groups and a deleted group file as deletes, then adds', async () => {
    await applied({
      'groups/a.yaml': groupYaml('A', phones(0, 30)),
      'groups/b.yaml': groupYaml('B', phones(30, 60)),
      'groups/c.yaml': groupYaml('C', phones(60, 70)),
      'groups/d.yaml': groupYaml('D 部门', phones(70, 80), '1001'),
    });
    const r = repo!;
    await r.write({
      // 0-2 removed, 3-5 moved from A to B, C deleted: 16 deletes of 80 (20%), 3 adds.
      'groups/a.yaml': groupYaml('A', phones(6, 30)),
      'groups/b.yaml': groupYaml('B', phones(3, 6).concat(phones(30, 60))),
      'groups/c.yaml': null,
    });
    r.commit('edit');
    const before = sandbox.requests().length;
    const result = await runGroupops(['apply', '--auto-approve', '--format', 'json'], { cwd: r.dir, env: sandboxEnv(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    expect(requestOps(sandbox, before)).toEqual(['delete', 'add']);
    const doc = JSON.parse(result.stdout) as { summary: { add: number; delete: number; requests: number }; batches: { op: string; items: number; batchId: string }[]; status: string };
    expect(doc.summary).toEqual({ add: 3, delete: 16, requests: 2 });
    expect(doc.status).toBe('applied');
    const ids = acceptedBatchIds().slice(-2);
    expect(doc.batches).toEqual([
      { op: 'delete', items: 16, batchId: ids[0] },
      { op: 'add', items: 3, batchId: ids[1] },
    ]);
    // The JSON text holds the IDs as strings, so no parser can round them.
    expect(result.stdout).toContain(`"batchId":"${ids[1]}"`);
    const want = await desiredKeys(r);
    expect(holdsExactly(sandbox, want)).toBe(true);
    expect(await snapshotKeys(r)).toEqual(want);
  });

  describe('safety refusals exit 3, send nothing and leave the snapshot as it was', () => {
    async function expectRefusal(args: string[], message: RegExp): Promise<void> {
      const r = repo!;
      const before = sandbox.requests().length;
      const snapshot = await r.snapshotText();
      const result = await runGroupops(['apply', '--auto-approve', ...args], { cwd: r.dir, env: sandboxEnv(sandbox) });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
      expect(sandbox.requests()).toHaveLength(before);
      expect(await r.snapshotText()).toBe(snapshot);
      expect(existsSync(join(r.dir, `${STATE}.journal`))).toBe(false);
      expect(existsSync(join(r.dir, `${STATE}.lock`))).toBe(false);
    }

    it('refuses mass deletes, a missing or empty groups folder, and an unexpected plan', async () => {
      await applied({ 'groups/a.yaml': groupYaml('A', phones(0, 40)) });
      const r = repo!;
      await r.write({ 'groups/a.yaml': groupYaml('A', phones(0, 10)) });
      await expectRefusal([], /deletes 30 of 40 applied memberships \(75%\)[\s\S]*--allow-mass-delete/);
      await expectRefusal(['--max-deletes', '29'], /more than --max-deletes 29/);
      // --format json: the refused plan as one document, with the status and the reason.
      const json = await runGroupops(['apply', '--auto-approve', '--format', 'json'], { cwd: r.dir, env: sandboxEnv(sandbox) });
      expect(json.code, json.stderr).toBe(3);
      const refused = JSON.parse(json.stdout) as { summary: unknown; batches: unknown[]; status: string; complete: boolean; error: { code: string; message: string } };
      expect(refused.summary).toEqual({ add: 0, delete: 30, requests: 1 });
      expect(refused.batches).toEqual([]);
      expect(refused).toMatchObject({ status: 'refused', complete: false, error: { code: 'UNSAFE_PLAN' } });
      expect(refused.error.message).toMatch(/deletes 30 of 40 applied memberships[\s\S]*--allow-mass-delete/);
      await expectRefusal(['--groups', 'typo'], /groups folder "typo" does not exist/);
      await expectRefusal(['--groups', 'typo', '--allow-mass-delete'], /groups folder "typo" does not exist/);
      await r.write({ 'groups/a.yaml': null, 'groups/.keep': '' });
      await expectRefusal([], /declares no memberships[\s\S]*--allow-mass-delete/);
      await r.write({ 'groups/a.yaml': groupYaml('A', phones(0, 39)) });
      await expectRefusal(['--expect-plan', 'f'.repeat(64)], /not the expected f{64}/);
      // The plan names the tenant the snapshot records (the sandbox), as the apply does.
      const plan = await runGroupops(['plan', '--format', 'json'], { cwd: r.dir, env: { RABBITPRE_BASE_URL: sandbox.url } });
      const checksum = (JSON.parse(plan.stdout) as { checksum: string }).checksum;
      const ok = await runGroupops(['apply', '--auto-approve', '--expect-plan', checksum], { cwd: r.dir, env: sandboxEnv(sandbox) });
      expect(ok.code, ok.stderr).toBe(0);
      expect(holdsExactly(sandbox, await desiredKeys(r))).toBe(true);
    });
  });

  it('sends nothing and writes nothing when a group file is invalid', async () => {
    await applied({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) });
    const r = repo!;
    await r.write({ 'groups/b.yaml': 'name: B\ncategory: enterprise\nmembers:\n  - phone: 13800000009\n' });
    const snapshot = await r.snapshotText();
    const before = sandbox.requests().length;
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: r.dir, env: sandboxEnv(sandbox) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/groups\/b\.yaml:4:\d+: .*quote/);
    expect(sandbox.requests()).toHaveLength(before);
    expect(await r.snapshotText()).toBe(snapshot);
    expect(existsSync(join(r.dir, `${STATE}.lock`))).toBe(false);
  });

  describe('tokens', () => {
    it('leaves no .groupops/ folder behind when a first apply is rejected (no snapshot yet)', async () => {
      repo = own(await createRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
      const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox, 'tok-rejected-0123456789abcdef') });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/401[\s\S]*RABBITPRE_TOKEN/);
      expect(result.stdout).toContain('No snapshot was written: nothing was acknowledged, and there is no .groupops/snapshot.json yet.');
      expect(existsSync(join(repo.dir, '.groupops'))).toBe(false);
    });

    it('says the snapshot is unchanged when one exists and a rejected token stopped the apply', async () => {
      const r = await applied({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) });
      await r.write({ 'groups/a.yaml': groupYaml('A', phones(0, 4)) });
      const snapshot = await r.snapshotText();
      const result = await runGroupops(['apply', '--auto-approve'], { cwd: r.dir, env: sandboxEnv(sandbox, 'tok-rejected-0123456789abcdef') });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`The snapshot ${STATE} is unchanged.`);
      expect(await r.snapshotText()).toBe(snapshot);
    });

    it('names a missing RABBITPRE_TOKEN before sending anything', async () => {
      repo = own(await createRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
      const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_BASE_URL: sandbox.url } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/RABBITPRE_TOKEN is not set[\s\S]*Nothing was sent/);
      expect(sandbox.requests()).toHaveLength(0);
      expect(await repo.snapshotText()).toBeUndefined();
    });

    it('fails clearly on a rejected token without printing it or touching the snapshot', async () => {
      await applied({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) });
      const r = repo!;
      await r.write({ 'groups/a.yaml': groupYaml('A', phones(0, 4)) });
      const snapshot = await r.snapshotText();
      const token = 'tok-5ecret-Value-0123456789abcdef';
      for (const format of ['text', 'json']) {
        const before = sandbox.requests().length;
        const result = await runGroupops(['apply', '--auto-approve', '--format', format], { cwd: r.dir, env: sandboxEnv(sandbox, token) });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/401[\s\S]*RABBITPRE_TOKEN/);
        expect(`${result.stdout}${result.stderr}`).not.toContain(token);
        expect(await r.snapshotText()).toBe(snapshot);
        expect(existsSync(join(r.dir, `${STATE}.journal`))).toBe(false);
        expect(
          sandbox
            .requests()
            .slice(before)
            .map((q) => q.verdict),
        ).toEqual(['unauthorized']);
      }
    });
  });
});
