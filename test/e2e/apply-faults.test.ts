import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { STATE, createRepo, desiredKeys, groupYaml, holdsExactly, notHeld, phones, runGroupops, sandboxEnv, snapshotKeys, type TempRepo } from '../helpers/apply-env.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

// No client retries: every injected fault ends an apply, so convergence has to come from re-running.
const CONFIG = 'api:\n  retries: 0\n  timeoutMs: 5000\n  concurrency: 2\n';

let sandbox: Sandbox | undefined;
let repo: TempRepo | undefined;
const own = ownedPerTest();

/**
 * Re-runs apply until it exits 0. After every run, whatever its outcome, each membership the
 * snapshot records must be held by the platform (it never claims an add the API did not
 * acknowledge), except those being deleted: a delete whose answer was lost may have been applied,
 * and it stays recorded so that the next apply sends it again.
 */
async function applyUntilDone(sb: Sandbox, r: TempRepo, maxRuns: number, deleting: ReadonlySet<string>): Promise<{ runs: number; failures: number }> {
  let failures = 0;
  for (let run = 1; run <= maxRuns; run++) {
    const result = await runGroupops(['apply', '--auto-approve', '--allow-mass-delete'], { cwd: r.dir, env: sandboxEnv(sb) });
    expect([0, 1], result.stderr).toContain(result.code);
    expect(notHeld(sb, await snapshotKeys(r)).filter((k) => !deleting.has(k))).toEqual([]);
    if (result.code === 0) return { runs: run, failures };
    failures++;
  }
  throw new Error(`apply did not converge in ${maxRuns} runs`);
}

function deliveredBatchIds(sb: Sandbox): Set<string> {
  return new Set(sb.requests().flatMap((q) => (q.verdict === 'accepted' && q.fault === undefined && q.batchId ? [q.batchId] : [])));
}

describe('apply under a 35% fault rate (end to end)', () => {
  for (const seed of [7, 42]) {
    it(`converges over repeated applies with nothing lost or double-recorded (seed ${seed})`, async () => {
      sandbox = own(await startSandbox({ seed, faults: { rate: 0.35, retryAfterSeconds: 0.01 } }));
      repo = own(
        await createRepo({
          '.groupops/config.yaml': CONFIG,
          // 1,400 enterprise items (A and B overlap) + 300 department items: 4 requests.
          'groups/a.yaml': groupYaml('A', phones(0, 1200)),
          'groups/b.yaml': groupYaml('B', phones(600, 1400)),
          'groups/d.yaml': groupYaml('D', phones(0, 300), '1001'),
        }),
      );
      const first = await applyUntilDone(sandbox, repo, 40, new Set());
      const before = await desiredKeys(repo);
      expect(holdsExactly(sandbox, before)).toBe(true);
      expect(await snapshotKeys(repo)).toEqual(before);

      // Deletes and adds under faults: drop 100 of A and all of D, add a new group.
      await repo.write({ 'groups/a.yaml': groupYaml('A', phones(100, 1200)), 'groups/d.yaml': null, 'groups/c.yaml': groupYaml('C', phones(2000, 2700)) });
      repo.commit('edit');
      const want = await desiredKeys(repo);
      const second = await applyUntilDone(sandbox, repo, 40, new Set([...before].filter((k) => !want.has(k))));
      expect(holdsExactly(sandbox, want)).toBe(true);
      expect(await snapshotKeys(repo)).toEqual(want);
      // The faults did bite: at least one run failed and was resumed.
      expect(first.failures + second.failures).toBeGreaterThan(0);

      // Every recorded batch ID is one whose answer the API delivered, recorded once, digits exact.
      const recorded = (await readSnapshot(nodeFileSystem(), join(repo.dir, STATE))).snapshot.lastApply!.requests.flatMap((q) => (q.batchId ? [q.batchId] : []));
      expect(new Set(recorded).size).toBe(recorded.length);
      const delivered = deliveredBatchIds(sandbox);
      expect(recorded.filter((id) => !delivered.has(id))).toEqual([]);
      const text = (await repo.snapshotText())!;
      for (const id of recorded) expect(text).toContain(`"batchId":"${id}"`);

      // Converged: one more apply sends nothing.
      const seen = sandbox.requests().length;
      const last = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
      expect(last.code, last.stderr).toBe(0);
      expect(sandbox.requests()).toHaveLength(seen);
    });
  }
});
