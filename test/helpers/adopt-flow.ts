import { expect } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * The adoption story of issue 12 as steps any CLI runner can drive: the in-repo e2e test runs the
 * built CLI (bin/groupops.js), and the packed-package round trip can pass a runner that calls the
 * installed `groupops` in its temp directory. Each step asserts what a new user would check.
 */

/** Runs groupops in the repository with extra environment variables; resolves to its exit status and output. */
export type FlowCli = (args: readonly string[], env?: Readonly<Record<string, string>>) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** The temp git repository the flow works in. */
export interface FlowRepo {
  write(files: Readonly<Record<string, string>>): Promise<void>;
  read(rel: string): Promise<string>;
  /** Commits everything (git add -A). */
  commit(message: string): void;
}

/** Members of the big group in the export: above the default CSV threshold (1000), so adopt writes a member list. */
export const BIG_GROUP_MEMBERS = 1001;

/** An admin-console-like export: one membership per row, a column groupops must be told to ignore (name). */
export function exportCsv(): string {
  const rows = [
    'group,category,wxDeptId,kind,phone,unionid,audienceUserId,name',
    'VIP客户,,,,18800000001,,,张三',
    'VIP客户,,,,18800000002,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,,李四',
    'VIP客户,,,,18800000003,,,王五',
    '研发部 H5 培训,department,1001,,18800000001,,,张三',
    '研发部 H5 培训,department,1001,,18800000003,,,王五',
    '会员俱乐部,,,customer,,,C100231,赵六',
    '会员俱乐部,,,customer,15800000002,,,钱七',
  ];
  for (let i = 0; i < BIG_GROUP_MEMBERS; i++) rows.push(`全部客户,,,,138${String(i).padStart(8, '0')},,,"客户 ${i}"`);
  return `${rows.join('\n')}\n`;
}

const MEMBERSHIPS = 3 + 2 + 2 + BIG_GROUP_MEMBERS;

/**
 * Adopt from an export, plan (no changes), edit a group, plan (the change), apply against the
 * sandbox (only the change is sent). Leaves the repository with a snapshot of the implicit target
 * at the sandbox's URL.
 */
export async function adoptEditApply(cli: FlowCli, repo: FlowRepo, sandbox: Sandbox): Promise<void> {
  const env = { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url };
  await repo.write({ 'platform-export.csv': exportCsv() });

  const refused = await cli(['adopt', '--from', 'platform-export.csv'], env);
  expect(refused.code, refused.stderr).toBe(1);
  expect(refused.stderr).toContain('platform-export.csv:1:');
  expect(refused.stderr).toContain('--ignore-column name');

  const adopted = await cli(['adopt', '--from', 'platform-export.csv', '--ignore-column', 'name'], env);
  expect(adopted.code, adopted.stderr).toBe(0);
  expect(adopted.stdout).toContain(`Adopted ${MEMBERSHIPS} memberships in 4 groups`);
  expect(adopted.stdout).toContain('Nothing was sent.');
  expect(sandbox.requests()).toHaveLength(0);
  // The big group keeps its members in a CSV member list that its YAML file names.
  expect(await repo.read('groups/全部客户.yaml')).toContain('memberFiles:\n  - 全部客户.csv');
  expect((await repo.read('groups/全部客户.csv')).split('\n')[0]).toBe('phone');
  const snapshot = JSON.parse(await repo.read('.groupops/snapshot.json')) as { target: unknown; lastApply: { adopted?: string; requests: unknown[] } };
  expect(snapshot.target).toEqual({ name: 'default', baseUrl: sandbox.url });
  expect(snapshot.lastApply).toMatchObject({ adopted: 'export', requests: [] });
  repo.commit('adopt the platform export');

  const unchanged = await cli(['plan', '--detailed-exitcode'], env);
  expect(unchanged.code, unchanged.stderr).toBe(0);
  expect(unchanged.stdout).toContain('No changes. The group files match the snapshot.');

  const vip = await repo.read('groups/VIP客户.yaml');
  expect(vip).toContain('- phone: "18800000003"');
  await repo.write({ 'groups/VIP客户.yaml': vip.replace('- phone: "18800000003"', '- phone: "18800000004"') });
  const changed = await cli(['plan', '--detailed-exitcode'], env);
  expect(changed.code, changed.stderr).toBe(2);
  expect(changed.stdout).toContain('+ phone 18800000004');
  expect(changed.stdout).toContain('- phone 18800000003');
  expect(changed.stdout).toContain('Plan: 1 to add, 1 to delete, in 2 requests.');
  repo.commit('VIP: 18800000004 replaces 18800000003');

  const applied = await cli(['apply', '--auto-approve'], env);
  expect(applied.code, applied.stderr).toBe(0);
  // Only the change reaches the platform, not the adopted tenant.
  const sent = sandbox.requests().map((r) => ({ op: (r.body as { publicParams: { optType: string } }).publicParams.optType, items: (r.body as { data: unknown[] }).data.length }));
  expect(sent).toEqual([
    { op: 'delete', items: 1 },
    { op: 'add', items: 1 },
  ]);
  const after = JSON.parse(await repo.read('.groupops/snapshot.json')) as { target: unknown; lastApply: { adopted?: string; requests: unknown[] } };
  expect(after.target).toEqual({ name: 'default', baseUrl: sandbox.url });
  expect(after.lastApply.adopted).toBeUndefined();
  expect(after.lastApply.requests).toHaveLength(2);
  repo.commit('snapshot after the apply');
}

/** An apply run from a test has no terminal to answer on: it is approved on the command line. */
const approval = (command: string): string[] => (command === 'apply' ? ['--auto-approve'] : []);

/**
 * The same snapshot against another tenant: RABBITPRE_BASE_URL pointing elsewhere with the implicit
 * target, then a config with two named targets where the snapshot is given to the other one. Each
 * plan and apply is refused with exit 3 and the reason, and nothing reaches either API.
 */
export async function refuseOtherTargets(cli: FlowCli, repo: FlowRepo, sandbox: Sandbox, other: Sandbox): Promise<void> {
  const before = await repo.read('.groupops/snapshot.json');
  const sentBefore = sandbox.requests().length;

  for (const command of ['plan', 'apply']) {
    const r = await cli([command, ...approval(command)], { RABBITPRE_TOKEN: other.token, RABBITPRE_BASE_URL: other.url });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`refusing to ${command}: .groupops/snapshot.json belongs to target "default" (${sandbox.url}), but RABBITPRE_BASE_URL points at ${other.url}`);
    expect(r.stderr).toContain(`Unset RABBITPRE_BASE_URL (or point it at ${sandbox.url})`);
    expect(r.stdout).not.toContain('No changes');
  }

  await repo.write({
    '.groupops/config.yaml': [
      'targets:',
      '  production:',
      `    baseUrl: ${sandbox.url}`,
      '    tokenEnv: RABBITPRE_TOKEN',
      '    state: .groupops/snapshot.json',
      '  test:',
      `    baseUrl: ${other.url}`,
      '    tokenEnv: RABBITPRE_TOKEN_TEST',
      '    state: .groupops/test.snapshot.json',
      '',
    ].join('\n'),
  });
  const tokens = { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_TOKEN_TEST: other.token };
  // The snapshot was made with the implicit target: production claims it explicitly.
  const claim = await cli(['plan', '--target', 'production'], tokens);
  expect(claim.code, claim.stderr).toBe(3);
  expect(claim.stderr).toContain('groupops adopt --retarget --target production');
  const retargeted = await cli(['adopt', '--retarget', '--target', 'production'], tokens);
  expect(retargeted.code, retargeted.stderr).toBe(0);
  expect(JSON.parse(await repo.read('.groupops/snapshot.json')).target).toEqual({ name: 'production', baseUrl: sandbox.url });
  const production = await cli(['plan', '--target', 'production', '--detailed-exitcode'], tokens);
  expect(production.code, production.stderr).toBe(0);

  // The same snapshot pointed at the second target.
  for (const command of ['plan', 'apply']) {
    const r = await cli([command, ...approval(command), '--target', 'test', '--state', '.groupops/snapshot.json'], tokens);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`refusing to ${command}: .groupops/snapshot.json belongs to target "production" (${sandbox.url}), but the selected target is "test" (${other.url})`);
    expect(r.stderr).toContain('--target production');
  }
  expect(sandbox.requests()).toHaveLength(sentBefore);
  expect(other.requests()).toHaveLength(0);
  expect(JSON.parse(await repo.read('.groupops/snapshot.json')).groups).toEqual(JSON.parse(before).groups);
}
