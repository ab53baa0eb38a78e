import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyWorkspace, type ApplyDeps, type ApplyOutcome } from '../../src/app/apply.js';
import { validateGroups } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import type { PlannedBatch } from '../../src/core/batches.js';
import { groupKey, memberKey, type GroupRef } from '../../src/core/model.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { renderSnapshot } from '../../src/state/snapshot-format.js';
import { MemoryFileSystem } from '../helpers/memory-file-system.js';
import { FakeApi } from './fake-api.js';
import { groupYaml, membershipKeys, phones, tempWorkspace } from './workspace-fixture.js';

const STATE = '.groupops/snapshot.json';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function deps(api: FakeApi, fileSystem: MemoryFileSystem, more: Partial<ApplyDeps> = {}): ApplyDeps {
  let tick = 0;
  return { api, fileSystem, concurrency: 2, clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, tick++)), gitCommit: async () => null, toolVersion: '9.9.9', ...more };
}

/** The memberships ("groupKey|memberKey", as membershipKeys writes them) a request adds or deletes. */
function requestKeys(batch: PlannedBatch): string[] {
  return batch.items.flatMap((item) =>
    item.groups.map((name) => {
      const group: GroupRef = item.department ? { name, category: item.category, department: item.department } : { name, category: item.category };
      return `${groupKey(group)}|${memberKey(item.member)}`;
    }),
  );
}

/** What the state files on a machine say (the journal folded in), as a reader or the next apply sees them. */
async function recordedKeys(fs: MemoryFileSystem, dir: string): Promise<Set<string>> {
  return membershipKeys((await readSnapshot(fs, join(dir, STATE), STATE)).snapshot.applied);
}

/** The state after a call of an apply: the snapshot as read then, the file system as a crash then would leave it, and what the API had done and the apply reported by then. */
interface Step {
  readonly call: string;
  /** The snapshot's text as a reader sees it then. */
  readonly snapshotNow: string | undefined;
  readonly crashed: MemoryFileSystem;
  /** Requests whose acknowledgement the apply had reported (the user saw them as done). */
  readonly reported: readonly number[];
  readonly held: ReadonlySet<string>;
}

describe('what a crash keeps, at every file-system call of an apply (the port in memory)', () => {
  it('every reported request is on disk, the snapshot is the old or the new one whole, and each crash recovers and converges', async () => {
    const ws = await tempWorkspace({ 'groups/a.yaml': groupYaml('A', phones(0, 1200)), 'groups/d.yaml': groupYaml('D', phones(0, 300), '1001') });
    cleanup = ws.cleanup;
    const fs = new MemoryFileSystem(ws.dir);
    const first = new FakeApi();
    expect((await applyWorkspace(await openWorkspace({ cwd: ws.dir }), deps(first, fs))).status).toBe('applied');
    const before = new Set(first.held);
    expect(await recordedKeys(fs.crash(), ws.dir)).toEqual(before);
    const oldText = fs.text(join(ws.dir, STATE));

    // Deletes and adds, two in flight: every call of the second apply is a crash point.
    await ws.write({ 'groups/a.yaml': groupYaml('A', phones(700, 1200)), 'groups/b.yaml': groupYaml('B', phones(5000, 6100)) });
    const api = new FakeApi(
      () => 'ok',
      (n) => (n % 2) * 3,
    );
    for (const key of before) api.held.add(key);
    const steps: Step[] = [];
    const reported: number[] = [];
    fs.onOperation = (operation, path) =>
      steps.push({ call: `${operation} ${path.slice(ws.dir.length)}`, snapshotNow: fs.text(join(ws.dir, STATE)), crashed: fs.crash(), reported: [...reported], held: new Set(api.held) });
    const outcome: ApplyOutcome = await applyWorkspace(await openWorkspace({ cwd: ws.dir }), deps(api, fs, { progress: { acknowledged: ({ request }) => reported.push(request.index) } }), {
      allowMassDelete: true,
    });
    fs.onOperation = undefined;
    expect(outcome.status).toBe('applied');
    const want = membershipKeys((await validateGroups(await openWorkspace({ cwd: ws.dir }))).state);
    expect(api.held).toEqual(want);
    expect(outcome.plan.batches.map((b) => b.op)).toEqual(['delete', 'delete', 'add', 'add', 'add']);
    expect(steps.length).toBeGreaterThan(20);

    const deleting = new Set([...before].filter((k) => !want.has(k)));
    const newText = renderSnapshot((await readSnapshot(fs, join(ws.dir, STATE))).snapshot);
    for (const [n, step] of steps.entries()) {
      const where = `after call ${n + 1} (${step.call})`;
      // Readers during the apply see the old snapshot or the new one, never a torn one.
      expect([oldText, newText], where).toContain(step.snapshotNow);
      // A crash keeps every request the apply had reported, and nothing the platform does not hold but deletes under way.
      const kept = await recordedKeys(step.crashed, ws.dir);
      for (const index of step.reported) {
        const batch = outcome.plan.batches[index]!;
        const keys = requestKeys(batch);
        if (batch.op === 'add')
          expect(
            keys.filter((k) => !kept.has(k)),
            `${where}: request ${index + 1} is not on disk`,
          ).toEqual([]);
        else
          expect(
            keys.filter((k) => kept.has(k)),
            `${where}: delete ${index + 1} is not on disk`,
          ).toEqual([]);
      }
      expect(
        [...kept].filter((k) => !step.held.has(k) && !deleting.has(k)),
        where,
      ).toEqual([]);
    }
    // After the apply, a crash keeps the new snapshot; a journal it may keep too is one the snapshot holds.
    const end = fs.crash();
    expect(await recordedKeys(end, ws.dir)).toEqual(want);
    expect((await readSnapshot(end, join(ws.dir, STATE))).journal?.stale ?? true).toBe(true);

    // From what each crash left, the next apply converges and sends only what was not recorded
    // (once per distinct crash: a write before its sync leaves what the call before left).
    const tried = new Set<string>();
    let reruns = 0;
    for (const [n, step] of steps.entries()) {
      const machine = step.crashed;
      const seen = fingerprint(machine, step.held);
      if (tried.has(seen)) continue;
      tried.add(seen);
      const platform = new FakeApi();
      for (const key of step.held) platform.held.add(key);
      const rerun = await applyWorkspace(await openWorkspace({ cwd: ws.dir }), deps(platform, machine), { allowMassDelete: true });
      expect(['applied', 'unchanged'], `rerun after call ${n + 1} (${step.call})`).toContain(rerun.status);
      expect(platform.held, `rerun after call ${n + 1}`).toEqual(want);
      expect(await recordedKeys(machine, ws.dir), `rerun after call ${n + 1}`).toEqual(want);
      // Requests reported before the crash are not sent again.
      expect(platform.log.length, `rerun after call ${n + 1}`).toBeLessThanOrEqual(outcome.plan.batches.length - step.reported.length);
      reruns++;
    }
    // Crashes in the journal, between the answers, in the snapshot write and after it.
    expect(reruns).toBeGreaterThanOrEqual(8);
  });
});

/** What tells two crashes apart: the files they leave and what the platform holds. */
function fingerprint(fs: MemoryFileSystem, held: ReadonlySet<string>): string {
  const hash = createHash('sha256');
  for (const path of fs.paths()) hash.update(`${path}\u0000${fs.text(path) ?? '(folder)'}\u0000`);
  for (const key of [...held].sort()) hash.update(`${key}\n`);
  return hash.digest('hex');
}
