import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { STATE, createRepo, desiredKeys, groupYaml, holdsExactly, notHeld, phones, runGroupops, sandboxEnv, snapshotKeys, type TempRepo } from '../helpers/apply-env.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

const V1_PATH = '/api/integrate/audience/group/rel/batchAdd';
const V2_PATH = '/api/integrate/audience/group/rel/v2/batchAdd';
const CUSTOMER_PATH = '/api/integrate/audience/info/batchAdd';

let sandbox: Sandbox | undefined;
let repo: TempRepo | undefined;
const own = ownedPerTest();

/** A customer group file with phone members. */
function customerYaml(name: string, values: readonly string[]): string {
  return `name: ${name}\nkind: customer\nmembers:\n${values.map((v) => `  - phone: "${v}"\n`).join('')}`;
}

async function setUp(files: Record<string, string>, options: SandboxOptions = {}): Promise<{ sb: Sandbox; r: TempRepo }> {
  sandbox = own(await startSandbox(options));
  repo = own(await createRepo(files));
  return { sb: sandbox, r: repo };
}

const apply = (sb: Sandbox, r: TempRepo, args: string[] = []) => runGroupops(['apply', '--auto-approve', ...args], { cwd: r.dir, env: sandboxEnv(sb) });

/** The snapshot never records a membership the platform does not hold. */
async function nothingUnconfirmed(sb: Sandbox, r: TempRepo): Promise<void> {
  expect(notHeld(sb, await snapshotKeys(r))).toEqual([]);
}

const pathsSeen = (sb: Sandbox): string[] => [...new Set(sb.requests().map((q) => q.path))].sort();

describe('a repository with user groups (v2) and customer groups, applied in one run', () => {
  it('shows a refused customer row, records only what was confirmed, retries it on the next apply and converges', async () => {
    const { sb, r } = await setUp(
      {
        'groups/users.yaml': groupYaml('会员', phones(0, 520)),
        'groups/dept.yaml': groupYaml('研发', phones(0, 10), '1001'),
        'groups/customers.yaml': customerYaml('会员', ['15800000001', '15800000002', '15800000003']),
      },
      { faults: { failRows: { '15800000002': '客户不存在' } } },
    );
    const first = await apply(sb, r);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toContain('Plan: 533 to add, 0 to delete, in 3 requests.');
    expect(first.stdout).toContain('add     1 request, 3 items (customer-group endpoint)');
    expect(first.stdout).toContain('Sent 3 requests, but 1 row was not applied:');
    expect(first.stdout).toContain('  add 3 items -> customer groups: 1 row not applied');
    // CI is set (apply-env): the row's identity value is masked in the log.
    expect(first.stdout).toMatch(/ {2}add phone 158\*\*\*\*0002 to 会员 \(customer group\): 部分导入成功: 1 条失败 \(客户不存在\)\n/);
    expect(first.stdout).not.toContain('15800000002');
    expect(first.stdout).toContain('Run groupops apply again to retry what was not applied.');
    expect(first.stderr).toContain('error: 1 row was not applied; the snapshot records only what the API confirmed');
    expect(pathsSeen(sb)).toEqual([V2_PATH, CUSTOMER_PATH]);
    await nothingUnconfirmed(sb, r);
    expect((await snapshotKeys(r)).size).toBe(532);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(r.dir, STATE));
    // Every request was answered (complete); the row left pending is marked on its request.
    expect(snapshot.lastApply!.complete).toBe(true);
    expect(snapshot.lastApply!.requests.filter((q) => q.endpoint !== undefined)).toEqual([{ op: 'add', items: 2, endpoint: `${sb.url}${CUSTOMER_PATH}`, status: 'partial', notApplied: 1 }]);

    // The next apply sends only the refused row; refused again, the whole request fails (status -1) and it stays pending.
    const seen = sb.requests().length;
    const again = await apply(sb, r, ['--format', 'json']);
    expect(again.code).toBe(1);
    const doc = JSON.parse(again.stdout) as { status: string; error: { message: string }; batches: unknown[] };
    expect(doc.status).toBe('failed');
    expect(doc.error.message).toContain('the import failed (data.status -1); nothing of this request is recorded [导入失败: 客户不存在]');
    expect(doc.batches).toEqual([]);
    expect(sb.requests()).toHaveLength(seen + 1);
    expect(sb.requests().at(-1)).toMatchObject({ path: CUSTOMER_PATH, note: 'status -1: 0 of 1 rows applied' });
    await nothingUnconfirmed(sb, r);

    sb.setFaults({});
    const third = await apply(sb, r, ['--format', 'json']);
    expect(third.code, third.stderr).toBe(0);
    expect((JSON.parse(third.stdout) as { batches: unknown[] }).batches).toEqual([{ op: 'add', items: 1, target: 'customer' }]);
    const want = await desiredKeys(r);
    expect(holdsExactly(sb, want)).toBe(true);
    expect(await snapshotKeys(r)).toEqual(want);
    expect((await readSnapshot(nodeFileSystem(), join(r.dir, STATE))).snapshot.lastApply!.complete).toBe(true);
    const fourth = await apply(sb, r);
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toContain('Nothing to apply: nothing was sent.');
  });

  it('lists failed rows in JSON (values masked with --mask) and in Markdown, masked by default', async () => {
    const { sb, r } = await setUp({ 'groups/c.yaml': customerYaml('C', ['15800000001', '15800000002']) }, { faults: { failRows: { '15800000002': '客户不存在' } } });
    const json = await apply(sb, r, ['--format', 'json', '--mask']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { batches: Record<string, unknown>[] };
    expect(doc.batches).toEqual([
      {
        op: 'add',
        items: 2,
        target: 'customer',
        status: 'partial',
        failed: [{ member: { identities: [{ type: 'phone', value: '158****0002' }] }, groups: ['C'], reason: '部分导入成功: 1 条失败 (客户不存在)' }],
        message: '部分导入成功: 1 条失败 (客户不存在)',
      },
    ]);
    expect(json.stdout).not.toContain('15800000002');
    // One more customer: the refused row and the new one share the next request.
    await r.write({ 'groups/c.yaml': customerYaml('C', ['15800000001', '15800000002', '15800000003']) });
    const md = await apply(sb, r, ['--format', 'markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('**Not applied** (not recorded in the snapshot; the next apply sends them again):');
    expect(md.stdout).toContain('- add phone 158&#42;&#42;&#42;&#42;0002 to C (customer group): 部分导入成功&#58; 1 条失败 &#40;客户不存在&#41;\n');
    expect(md.stdout.match(/158\S*0002 to C/g)).toHaveLength(1);
    expect(md.stdout).not.toContain('15800000002');
    expect(md.stdout).toContain('| 1 | add | 2 | customer groups: 1 row not applied |');
  });

  it('status 0 is reported as not confirmed and recorded as nothing; status -1 fails the apply; both converge', async () => {
    const { sb, r } = await setUp(
      { 'groups/u.yaml': groupYaml('U', phones(0, 3)), 'groups/c.yaml': customerYaml('C', ['15800000001', '15800000002']) },
      { faults: { customerResults: ['inProgress', 'failed'] } },
    );
    const first = await apply(sb, r);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('add 2 items -> customer groups: not confirmed yet (in progress), nothing recorded');
    expect(first.stdout).toMatch(/ {2}add 2 items \(customer groups\): not confirmed: 导入中/);
    expect(first.stderr).toContain('error: 2 items are not confirmed yet');
    expect(first.stdout).not.toMatch(/Applied \d+ request/);
    // The sandbox applied the rows (the import runs on); the snapshot does not claim them.
    expect(sb.customerMemberships()).toHaveLength(2);
    expect((await snapshotKeys(r)).size).toBe(3);
    await nothingUnconfirmed(sb, r);

    await r.write({ 'groups/c.yaml': customerYaml('C', ['15800000001', '15800000002', '15800000003']) });
    r.commit('one more customer');
    const second = await apply(sb, r);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /error: POST .*audience\/info\/batchAdd failed: the import failed \(data\.status -1\); nothing of this request is recorded \[导入失败 \(sandbox: scripted failure\)\]/,
    );
    expect((await snapshotKeys(r)).size).toBe(3);
    await nothingUnconfirmed(sb, r);

    const third = await apply(sb, r);
    expect(third.code, third.stderr).toBe(0);
    expect(holdsExactly(sb, await desiredKeys(r))).toBe(true);
    expect(await snapshotKeys(r)).toEqual(await desiredKeys(r));
  });

  it('converges under random row failures and request faults, never recording what was not confirmed', async () => {
    const { sb, r } = await setUp(
      {
        '.groupops/config.yaml': 'api:\n  retries: 0\n  timeoutMs: 5000\n',
        'groups/u.yaml': groupYaml('U', phones(0, 40)),
        'groups/c.yaml': customerYaml('C', phones(0, 600)),
        'groups/d.yaml': customerYaml('D', phones(300, 400)),
      },
      { seed: 11, faults: { rate: 0.3, kinds: ['http500', 'dropBeforeApply', 'dropAfterApply', 'malformed'], rowFailureRate: 0.2 } },
    );
    let runs = 0;
    let partial = 0;
    for (; runs < 30; runs++) {
      const result = await apply(sb, r);
      expect([0, 1], result.stderr).toContain(result.code);
      await nothingUnconfirmed(sb, r);
      if (result.stdout.includes('not applied:')) partial++;
      if (result.code === 0) break;
    }
    expect(runs).toBeLessThan(30);
    expect(partial).toBeGreaterThan(0);
    const want = await desiredKeys(r);
    expect(holdsExactly(sb, want)).toBe(true);
    expect(await snapshotKeys(r)).toEqual(want);
  });
});

describe('user groups through the legacy v1 endpoint (userGroups.endpoint: v1)', () => {
  const V1_CONFIG = 'userGroups:\n  endpoint: v1\nv1:\n  isMatching: true\n  matchingType: 2\n  identifyWay: 1\napi:\n  retries: 0\n  timeoutMs: 5000\n';

  it('applies through v1 with exact batch IDs, customer groups alongside; a second apply sends nothing', async () => {
    const { sb, r } = await setUp({
      '.groupops/config.yaml': V1_CONFIG,
      'groups/a.yaml': 'name: A\nmembers:\n  - thirdId: "T-1"\n  - identities:\n      - { type: unionid, value: u2 }\n      - { type: phone, value: "13800000002" }\n',
      'groups/b.yaml': groupYaml('B', phones(0, 600)),
      'groups/c.yaml': customerYaml('C', ['15800000001']),
    });
    const first = await apply(sb, r);
    expect(first.code, first.stderr).toBe(0);
    expect(pathsSeen(sb)).toEqual([V1_PATH, CUSTOMER_PATH]);
    const v1Ids = sb.requests().flatMap((q) => (q.path === V1_PATH && q.batchId ? [q.batchId] : []));
    expect(v1Ids).toHaveLength(2);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(r.dir, STATE));
    expect(snapshot.lastApply!.endpoint).toBe(`${sb.url}${V1_PATH}`);
    expect(snapshot.lastApply!.requests.flatMap((q) => (q.batchId ? [q.batchId] : []))).toEqual(v1Ids);
    const bodies = sb.requests().flatMap((q) => (q.path === V1_PATH ? [q.body as { publicParams: unknown; data: unknown[] }] : []));
    for (const body of bodies) expect(body.publicParams).toEqual({ isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' });
    const data = bodies.flatMap((b) => b.data);
    expect(data).toContainEqual({ thirdId: 'T-1', groups: 'A' });
    expect(data).toContainEqual({ unionid: 'u2', phone: '13800000002', groups: 'A' });
    const want = await desiredKeys(r);
    expect(holdsExactly(sb, want)).toBe(true);
    expect(await snapshotKeys(r)).toEqual(want);
    const second = await apply(sb, r);
    expect(second.stdout).toContain('Nothing to apply: nothing was sent.');
  });

  it('converges under a 35% fault rate, deletes included', async () => {
    const { sb, r } = await setUp(
      { '.groupops/config.yaml': V1_CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 900)), 'groups/b.yaml': groupYaml('B', phones(400, 700)) },
      { seed: 5, faults: { rate: 0.35, retryAfterSeconds: 0.01 } },
    );
    const until = async (deleting: ReadonlySet<string>): Promise<void> => {
      for (let run = 0; run < 40; run++) {
        const result = await apply(sb, r, ['--allow-mass-delete']);
        expect([0, 1], result.stderr).toContain(result.code);
        expect(notHeld(sb, await snapshotKeys(r)).filter((k) => !deleting.has(k))).toEqual([]);
        if (result.code === 0) return;
      }
      throw new Error('apply did not converge in 40 runs');
    };
    await until(new Set());
    const before = await desiredKeys(r);
    expect(holdsExactly(sb, before)).toBe(true);
    await r.write({ 'groups/a.yaml': groupYaml('A', phones(100, 900)), 'groups/b.yaml': null });
    r.commit('deletes');
    const want = await desiredKeys(r);
    await until(new Set([...before].filter((k) => !want.has(k))));
    expect(holdsExactly(sb, want)).toBe(true);
    expect(await snapshotKeys(r)).toEqual(want);
    expect(sb.requests().some((q) => q.fault !== undefined)).toBe(true);
    expect(sb.requests().every((q) => q.path === V1_PATH)).toBe(true);
  });

  it('refuses members v1 cannot express before anything is sent', async () => {
    const { sb, r } = await setUp({ '.groupops/config.yaml': `${V1_CONFIG}identityTypes:\n  custom: [crm_id]\n`, 'groups/a.yaml': 'name: A\nmembers:\n  - phone: "1"\n  - crm_id: "X"\n' });
    const before = await r.snapshotText();
    const result = await apply(sb, r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/a.yaml:4:1: identity type "crm_id" cannot be sent to the v1 endpoint (userGroups.endpoint: v1): use phone, openid, unionid, thirdId');
    expect(sb.requests()).toEqual([]);
    expect(await r.snapshotText()).toBe(before);
    const validate = await runGroupops(['validate'], { cwd: r.dir });
    expect(validate.code).toBe(1);
  });
});
