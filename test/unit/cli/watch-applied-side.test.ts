import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL } from '../../../src/app/target.js';
import { openWorkspace } from '../../../src/app/workspace.js';
import { planBatches } from '../../../src/core/batches.js';
import { diffMemberships, stateFromGroups } from '../../../src/core/diff.js';
import { countMemberships as membershipCount, memberKey, type Member, type MembershipState } from '../../../src/core/model.js';
import type { CliIo } from '../../../src/cli/io.js';
import { watchPlan } from '../../../src/cli/watch.js';
import { formatJournalHeader, formatJournalRecord, JOURNAL_VERSION } from '../../../src/state/journal.js';
import { nodeFileSystem } from '../../../src/state/node-file-system.js';
import { SnapshotCache } from '../../../src/state/snapshot-cache.js';
import { writeSnapshot } from '../../../src/state/snapshot-store.js';
import { groupYaml, phones } from '../../helpers/apply-env.js';
import { MemoryFileSystem } from '../../helpers/memory-file-system.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';

const STATE = '.groupops/snapshot.json';

let repo: TempRepo | undefined;
let stop: AbortController | undefined;
let watching: Promise<void> | undefined;
afterEach(async () => {
  stop?.abort();
  await watching;
  await repo?.cleanup();
  repo = undefined;
  stop = undefined;
  watching = undefined;
});

/** A journal an apply in another terminal is writing: its header, then the deletes that take `from` to `to`, acknowledged. */
function journalOf(from: MembershipState, to: MembershipState): string {
  // The endpoint of the default target, which the workspace selects: a journal of another tenant's apply would be refused.
  const header = {
    journal: JOURNAL_VERSION,
    applyId: 'other-terminal',
    base: null,
    commit: null,
    endpoint: `${DEFAULT_BASE_URL}/api/integrate/audience/group/rel/v2/batchAdd`,
    toolVersion: '9.9.9',
    started: '2024-05-01T10:00:00.000Z',
  };
  return (
    formatJournalHeader(header) +
    planBatches(diffMemberships(to, from))
      .map((b, i) => formatJournalRecord(i, b, `${i + 1}`))
      .join('')
  );
}

describe('plan --watch and the applied side', () => {
  it('re-plans when the snapshot or its journal changes under it, and the plan shows the change', async () => {
    repo = await createTempRepo({ files: { 'groups/a.yaml': groupYaml('A', phones(0, 10)) } });
    let out = '';
    let err = '';
    const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { NO_COLOR: '1' }, cwd: repo.dir };
    const ws = await openWorkspace({ cwd: repo.dir });
    const rounds = (): number => err.split('Ctrl-C to stop').length - 1;
    /** Makes a change, then waits for the round it causes and returns that round's plan. */
    const afterChange = async (change: () => Promise<unknown>): Promise<string> => {
      const [round, from] = [rounds(), out.length];
      await change();
      await expect.poll(rounds, { timeout: 20_000, interval: 20 }).toBeGreaterThan(round);
      return out.slice(from);
    };
    stop = new AbortController();
    const start = async (): Promise<void> => {
      watching = watchPlan(io, ws, { format: 'text' }, stop!.signal);
    };
    expect(await afterChange(start)).toContain('Plan: 10 to add, 0 to delete');

    // An apply elsewhere writes the snapshot: everything is applied.
    expect(await afterChange(() => writeSnapshot(nodeFileSystem(), repo!.path(STATE), { applied: stateOf(10), lastApply: null }))).toMatch(/^No changes\./);

    // The next apply elsewhere journals the deletes of three members (the group files still list them).
    expect(await afterChange(() => repo!.write({ [`${STATE}.journal`]: journalOf(stateOf(10), stateOf(7)) }))).toContain('Plan: 3 to add, 0 to delete');

    // Its journal is removed (folded elsewhere, or by hand): the snapshot alone says everything is applied.
    expect(await afterChange(() => repo!.write({ [`${STATE}.journal`]: null }))).toMatch(/^No changes\./);
  });
});

describe('SnapshotCache', () => {
  it('reads again whenever the snapshot or its journal changed, and only then', async () => {
    const root = '/work-tree';
    const fs = new MemoryFileSystem(root);
    const path = join(root, STATE);
    const cache = new SnapshotCache();
    await writeSnapshot(fs, path, { applied: stateOf(5), lastApply: null });
    expect(membershipCount((await cache.read(fs, path)).snapshot.applied)).toBe(5);
    expect(membershipCount((await cache.read(fs, path)).snapshot.applied)).toBe(5);
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
    // Rewritten at the same size (other members, as many digits): read again.
    await writeSnapshot(fs, path, { applied: stateOf(5, 100), lastApply: null });
    const replaced = (await cache.read(fs, path)).snapshot.applied;
    expect([...replaced.values()].flatMap((g) => [...g.members.values()]).map((m) => m.identities[0]!.value)).toEqual(phones(100, 105));
    // A journal appears next to it: folded in.
    const file = await fs.create(`${path}.journal`);
    await file.write([Buffer.from(journalOf(stateOf(5, 100), stateOf(2, 100)))]);
    await file.close();
    expect(membershipCount((await cache.read(fs, path)).snapshot.applied)).toBe(2);
    expect(cache.stats).toEqual({ hits: 1, misses: 3 });
  });
});

/** Group A holding `n` members from phone number `from` on. */
function stateOf(n: number, from = 0): MembershipState {
  const members = phones(from, from + n).map((value): [string, Member] => {
    const member = { identities: [{ type: 'phone', value }] };
    return [memberKey(member), member];
  });
  return stateFromGroups([{ group: { name: 'A', category: 'enterprise' }, members }]);
}
