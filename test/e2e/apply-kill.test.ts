import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sandbox/prng.js';
import { startSandbox, type Sandbox, type SandboxRequestLog } from '../../src/sandbox/server.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import {
  STATE,
  createRepo,
  desiredKeys,
  groupYaml,
  holdsExactly,
  notHeld,
  phones,
  runCli,
  sandboxEnv,
  snapshotKeys,
  spawnCli,
  type TempRepo,
} from '../helpers/apply-env.js';

let sandbox: Sandbox | undefined;
let repo: TempRepo | undefined;
let onRequest: ((entry: SandboxRequestLog) => void) | undefined;

afterEach(async () => {
  await sandbox?.close();
  await repo?.cleanup();
  sandbox = undefined;
  repo = undefined;
  onRequest = undefined;
});

interface KillStats {
  runs: number;
  killed: number;
  /** Kills that left a journal with acknowledged requests behind: kills in the middle of sending. */
  killedMidSend: number;
}

/**
 * Runs apply and SIGKILLs it at a random point: alternately after a random delay, and right after
 * the sandbox has seen a random number of this run's requests (plus a few random milliseconds), so
 * kills land in start-up, between requests, between an answer and its journal line, and in the
 * snapshot write. Repeats until an apply exits 0; after every run the snapshot (with its journal)
 * must claim only memberships the platform holds, except those being deleted: a delete whose answer
 * was lost may have been applied, and keeping the membership makes the next apply send it again
 * (dropping it before the answer would leave it on the platform for good if the delete never arrived).
 */
async function applyWithKills(sb: Sandbox, r: TempRepo, rng: () => number, stats: KillStats, deleting: ReadonlySet<string>): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    stats.runs++;
    const { child, done } = spawnCli(['apply', '--allow-mass-delete'], { cwd: r.dir, env: sandboxEnv(sb) });
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    let timer: NodeJS.Timeout | undefined;
    // Later attempts are left alone more often, so the loop ends.
    const leaveAlone = rng() < attempt / 8;
    if (!leaveAlone && attempt % 2 === 0) timer = setTimeout(kill, 300 + rng() * 1200);
    else if (!leaveAlone) {
      let seen = 0;
      const at = 1 + Math.floor(rng() * 16);
      const extraMs = rng() * 40;
      onRequest = () => {
        if (++seen === at) timer = setTimeout(kill, extraMs);
      };
    }
    const result = await done;
    clearTimeout(timer);
    onRequest = undefined;
    const journal = join(r.dir, `${STATE}.journal`);
    if (result.signal === 'SIGKILL') {
      stats.killed++;
      if (existsSync(journal) && ((await readSnapshot(join(r.dir, STATE))).journal?.journal.records.length ?? 0) > 0) stats.killedMidSend++;
    } else expect([0, 1], result.stderr).toContain(result.code);
    expect(notHeld(sb, await snapshotKeys(r)).filter((k) => !deleting.has(k))).toEqual([]);
    if (result.code === 0) {
      if (process.env.GROUPOPS_TEST_VERBOSE) console.log(stats);
      return;
    }
  }
  throw new Error('apply did not converge in 60 runs');
}

describe('apply killed at random points (end to end)', () => {
  it('converges after SIGKILLs mid-apply, claims only acknowledged memberships, and leaves no litter', async () => {
    sandbox = await startSandbox({ latencyMs: 60, onRequest: (entry) => onRequest?.(entry) });
    // Seeded, so a failing run can be replayed.
    const rng = seededRandom(20240501);
    const stats: KillStats = { runs: 0, killed: 0, killedMidSend: 0 };
    // 20 add requests, two in flight at a time.
    repo = await createRepo({ '.groupops/config.yaml': 'api:\n  concurrency: 2\n', 'groups/a.yaml': groupYaml('A', phones(0, 10_000)) });
    await applyWithKills(sandbox, repo, rng, stats, new Set());
    const before = await desiredKeys(repo);
    expect(holdsExactly(sandbox, before)).toBe(true);

    // 10 delete requests, then 10 add requests.
    await repo.write({ 'groups/a.yaml': groupYaml('A', phones(5000, 10_000)), 'groups/b.yaml': groupYaml('B', phones(20_000, 25_000)) });
    repo.commit('edit');
    const want = await desiredKeys(repo);
    await applyWithKills(sandbox, repo, rng, stats, new Set([...before].filter((k) => !want.has(k))));
    expect(holdsExactly(sandbox, want)).toBe(true);
    expect(await snapshotKeys(repo)).toEqual(want);
    expect(stats.killed).toBeGreaterThanOrEqual(2);
    expect(stats.killedMidSend).toBeGreaterThanOrEqual(1);

    // Recorded once each, and only IDs whose answers were delivered.
    const recorded = (await readSnapshot(join(repo.dir, STATE))).snapshot.lastApply!.requests.flatMap((q) => (q.batchId ? [q.batchId] : []));
    expect(new Set(recorded).size).toBe(recorded.length);
    const delivered = new Set(sandbox.requests().flatMap((q) => (q.batchId ? [q.batchId] : [])));
    expect(recorded.filter((id) => !delivered.has(id))).toEqual([]);

    const seen = sandbox.requests().length;
    const last = await runCli(['apply'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(last.code, last.stderr).toBe(0);
    expect(sandbox.requests()).toHaveLength(seen);
    // No journal, lock or temporary file is left next to the snapshot.
    expect((await readdir(join(repo.dir, '.groupops'))).sort()).toEqual(['config.yaml', 'snapshot.json']);
  });
});
