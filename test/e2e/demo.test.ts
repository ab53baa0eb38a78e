import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/apply-env.js';

let cwd: string | undefined;
afterEach(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
  cwd = undefined;
});

describe('groupops demo (npm start)', () => {
  it('plans and applies the shipped groups against a sandbox in a temporary copy, then applies again with nothing to do', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'groupops-demo-cwd-'));
    const result = await runCli(['demo'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Plan: 17 to add, 0 to delete, in 1 request.');
    const id = /\[1\/1\] add 14 items -> batch (\d+)/.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(BigInt(id!)).toBeGreaterThan(2n ** 53n);
    expect(out).toContain(`records 17 memberships, batch ID ${id} and the desired-state commit`);
    expect(out).toContain('What the sandbox holds now (17 memberships)');
    expect(out).toMatch(/VIP客户 \(enterprise\): 4 members\n {4}openid o6_bmjrPTlm6_2sgVt7hMZOPfL2M/);
    expect(out).toContain('Nothing to do: the platform matches the group files; 0 requests sent.');
    // The temporary copy is gone and nothing was written where it ran.
    const copy = /Working in a temporary copy \(([^)]+)\)/.exec(out)?.[1];
    expect(copy).toBeDefined();
    expect(existsSync(copy!)).toBe(false);
    expect(await readdir(cwd)).toEqual([]);
  });
});
