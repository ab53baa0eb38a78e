import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGroupops } from '../helpers/apply-env.js';

let cwd: string | undefined;
afterEach(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
  cwd = undefined;
});

describe('groupops demo (npm start)', () => {
  it('plans and applies the shipped groups against a sandbox in a temporary copy, retries the customer row it refused, then has nothing to do', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'groupops-demo-cwd-'));
    const result = await runGroupops(['demo'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');
    expect(out).toContain('add     1 request, 3 items (customer-group endpoint)');
    const id = /\[\d\/2\] add 14 items -> batch (\d+)/.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(BigInt(id!)).toBeGreaterThan(2n ** 53n);
    // The first apply: one customer row refused, shown with its reason, not recorded.
    expect(out).toMatch(/\[\d\/2\] add 3 items -> customer groups: 1 row not applied/);
    expect(out).toContain(`records 19 memberships, batch ID ${id} and the desired-state commit`);
    expect(out).toMatch(/add phone 15800000001 to 会员俱乐部 \(customer group\): .*系统繁忙/);
    expect(out).toContain('What the sandbox holds now (17 user-group and 2 customer-group memberships)');
    expect(out).toMatch(/VIP客户 \(enterprise\): 4 members\n {4}openid o6_bmjrPTlm6_2sgVt7hMZOPfL2M/);
    expect(out).toMatch(/会员俱乐部 \(customer group\): 2 members\n {4}audienceUserId C100231\n {4}unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS7p \+ phone 15800000002/);
    // The second apply sends only the refused row; the third sends nothing.
    expect(out).toContain('[1/1] add 1 item -> customer groups: applied');
    expect(out).toContain('Sent 1 request; .groupops/snapshot.json now records 20 memberships.');
    expect(out).toContain('Nothing to do: the platform matches the group files; 0 requests sent.');
    // The temporary copy is gone and nothing was written where it ran.
    const copy = /Working in a temporary copy \(([^)]+)\)/.exec(out)?.[1];
    expect(copy).toBeDefined();
    expect(existsSync(copy!)).toBe(false);
    expect(await readdir(cwd)).toEqual([]);
  });
});
