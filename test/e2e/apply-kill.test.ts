import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sandbox/prng.js';
import { startSandbox, type Sandbox, type SandboxRequestLog } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { STATE, createRepo, desiredKeys, groupYaml, holdsExactly, notHeld, phones, runGroupops, sandboxEnv, snapshotKeys, spawnCli, type TempRepo } from '../helpers/apply-env.js';

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
  /** Batch IDs the sandbox issued whose answers never reached the CLI (killed before the answer, or held). */
  lost: Set<string>;
  /** Each run's kill point and how it ended, e.g. "arrival 7: SIGKILL" (printed with GROUPOPS_TEST_VERBOSE). */
  log: string[];
}

/** How long the sandbox holds a `held` run's answer: longer than the test may run, so only the kill ends that run. */
const HOLD_MS = 600_000;

/**
 * Where a run is killed. Each point is an event, not a delay, so a run is killed exactly there
 * however loaded the machine is:
 * - spawn: at once, while node starts;
 * - sending: when the CLI says it starts sending (the journal has its header and no record);
 * - arrival: when the sandbox has this run's n-th request, before answering it, so that answer is
 *   lost (and requests answered just before may lie between their answer and their journal line);
 * - ack: when the CLI reports its n-th acknowledgement, which is journaled by then: between two
 *   requests, or while others are in flight;
 * - lastAck: when the CLI reports its last acknowledgement: in the fold and snapshot write;
 * - held: the sandbox applies request 2 and holds its answer back, and the kill comes at the first
 *   acknowledgement: a kill mid-send with a journal behind, on every run.
 */
type KillPoint = { at: 'spawn' | 'sending' | 'lastAck' | 'held' } | { at: 'arrival' | 'ack'; n: number };

/** The acknowledgements a CLI run has reported (`[3/20] add 500 items -> batch ...`), and how many requests it sends. */
function acks(stderr: string): { done: number; total: number | undefined } {
  const lines = [...stderr.matchAll(/^\[(\d+)\/(\d+)\] /gm)];
  return { done: lines.length, total: lines[0] ? Number(lines[0][2]) : undefined };
}

/**
 * Runs apply once per kill point (see KillPoint), SIGKILLing it there, so kills land in start-up,
 * mid-request, between requests, between an answer and its journal line, and in the snapshot
 * write; then once left alone, which must finish the apply. A kill point a run never reaches (it
 * had fewer requests) lets that run finish, which ends the loop early. After every run the
 * snapshot (with its journal) must claim only memberships the platform holds, except those being deleted: a delete whose answer
 * was lost may have been applied, and keeping the membership makes the next apply send it again
 * (dropping it before the answer would leave it on the platform for good if the delete never arrived).
 */
async function applyWithKills(sb: Sandbox, r: TempRepo, points: readonly KillPoint[], stats: KillStats, deleting: ReadonlySet<string>): Promise<void> {
  for (let attempt = 0; attempt <= points.length; attempt++) {
    stats.runs++;
    const point = points[attempt];
    if (point?.at === 'held') sb.setFaults({ script: ['ok', 'slow'], slowMs: HOLD_MS });
    const { child, done } = spawnCli(['apply', '--auto-approve', '--allow-mass-delete'], { cwd: r.dir, env: sandboxEnv(sb) });
    const kill = (): void => {
      if (!child.killed) child.kill('SIGKILL');
    };
    if (point?.at === 'spawn') kill();
    let seen = 0;
    // The sandbox calls this before the request's answer is sent: the kill lands while it is in flight.
    if (point?.at === 'arrival') {
      onRequest = (entry) => {
        if (++seen !== point.n) return;
        kill();
        if (entry.batchId) stats.lost.add(entry.batchId);
      };
    }
    let stderr = '';
    child.stderr!.on('data', (s: string) => {
      stderr += s;
      const { done: acked, total } = acks(stderr);
      if (point?.at === 'sending' && /^Sending /m.test(stderr)) kill();
      else if (point?.at === 'ack' && acked >= point.n) kill();
      else if (point?.at === 'lastAck' && acked > 0 && acked === total) kill();
      else if (point?.at === 'held' && acked >= 1) kill();
    });
    const result = await done;
    onRequest = undefined;
    if (point?.at === 'held') {
      sb.setFaults({});
      for (const q of sb.requests()) if (q.fault === 'slow' && q.batchId) stats.lost.add(q.batchId);
    }
    stats.log.push(`${point ? `${point.at}${'n' in point ? ` ${point.n}` : ''}` : 'left alone'}: ${result.signal ?? `exit ${String(result.code)}`}`);
    const journal = join(r.dir, `${STATE}.journal`);
    if (result.signal === 'SIGKILL') {
      stats.killed++;
      const midSend = existsSync(journal) && ((await readSnapshot(nodeFileSystem(), join(r.dir, STATE))).journal?.journal.records.length ?? 0) > 0;
      if (midSend) stats.killedMidSend++;
      // Request 2's answer never came, so the run cannot have finished: the kill found it sending.
      if (point?.at === 'held') expect(midSend, result.stderr).toBe(true);
    } else {
      expect(point?.at, `a held run must be killed: ${result.stderr}`).not.toBe('held');
      expect([0, 1], result.stderr).toContain(result.code);
    }
    expect(notHeld(sb, await snapshotKeys(r)).filter((k) => !deleting.has(k))).toEqual([]);
    if (result.code === 0) {
      if (process.env.GROUPOPS_TEST_VERBOSE) console.log(stats);
      return;
    }
  }
  throw new Error(`apply did not finish when left alone after ${points.length} kills: ${stats.log.join(', ')}`);
}

describe('apply SIGKILLed at every kind of point (end to end)', () => {
  it('converges after SIGKILLs mid-apply, claims only acknowledged memberships, and leaves no litter', async () => {
    sandbox = await startSandbox({ latencyMs: 60, onRequest: (entry) => onRequest?.(entry) });
    // Seeded, so a failing run can be replayed. Small n, so that the runs before leave enough requests for it.
    const rng = seededRandom(20240501);
    const n = (): number => 1 + Math.floor(rng() * 4);
    const stats: KillStats = { runs: 0, killed: 0, killedMidSend: 0, lost: new Set(), log: [] };
    // 20 add requests, two in flight at a time. The client's timeout outlasts the test, so a held
    // answer is never given up on and retried before the kill.
    repo = await createRepo({ '.groupops/config.yaml': 'api:\n  concurrency: 2\n  timeoutMs: 120000\n', 'groups/a.yaml': groupYaml('A', phones(0, 10_000)) });
    const first: KillPoint[] = [{ at: 'held' }, { at: 'spawn' }, { at: 'sending' }, { at: 'arrival', n: n() }, { at: 'ack', n: n() }, { at: 'lastAck' }];
    await applyWithKills(sandbox, repo, first, stats, new Set());
    const before = await desiredKeys(repo);
    expect(holdsExactly(sandbox, before)).toBe(true);

    // 10 delete requests, then 10 add requests.
    await repo.write({ 'groups/a.yaml': groupYaml('A', phones(5000, 10_000)), 'groups/b.yaml': groupYaml('B', phones(20_000, 25_000)) });
    repo.commit('edit');
    const want = await desiredKeys(repo);
    // Start-up kills do not depend on the plan; the others are repeated with deletes in it.
    const second: KillPoint[] = [{ at: 'held' }, { at: 'arrival', n: n() }, { at: 'ack', n: n() }, { at: 'lastAck' }];
    await applyWithKills(sandbox, repo, second, stats, new Set([...before].filter((k) => !want.has(k))));
    expect(holdsExactly(sandbox, want)).toBe(true);
    expect(await snapshotKeys(repo)).toEqual(want);
    // At least the two held runs.
    expect(stats.killed).toBeGreaterThanOrEqual(2);
    expect(stats.killedMidSend).toBeGreaterThanOrEqual(2);

    // Recorded once each, and only IDs whose answers were delivered.
    const recorded = (await readSnapshot(nodeFileSystem(), join(repo.dir, STATE))).snapshot.lastApply!.requests.flatMap((q) => (q.batchId ? [q.batchId] : []));
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(stats.lost.size).toBeGreaterThanOrEqual(2);
    const delivered = new Set(sandbox.requests().flatMap((q) => (q.batchId && !stats.lost.has(q.batchId) ? [q.batchId] : [])));
    expect(recorded.filter((id) => !delivered.has(id))).toEqual([]);

    const seen = sandbox.requests().length;
    const last = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(last.code, last.stderr).toBe(0);
    expect(sandbox.requests()).toHaveLength(seen);
    // No journal, lock or temporary file is left next to the snapshot.
    expect((await readdir(join(repo.dir, '.groupops'))).sort()).toEqual(['config.yaml', 'snapshot.json']);
    // A dozen CLI runs take 10-40 s on a loaded 2-core machine: the limit only catches a hang, it times nothing.
  }, 180_000);
});
