import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiffMemo } from '../../src/core/diff.js';
import { buildPlan } from '../../src/core/plan.js';
import { GroupFileCache } from '../../src/load/group-cache.js';
import { loadGroups } from '../../src/load/load-groups.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { SnapshotCache } from '../../src/state/snapshot-cache.js';
import { writeSnapshot } from '../../src/state/snapshot-store.js';

// What `plan --watch` keeps between runs: a re-plan after one edit must read one file, compare
// one group, and still give exactly the plan a cold run gives.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groupops-cache-'));
  mkdirSync(join(dir, 'groups'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (path: string, text: string) => writeFileSync(join(dir, path), text);
const group = (name: string, phones: number[]) => `name: ${name}\nmembers:\n${phones.map((p) => `  - phone: "${p}"\n`).join('')}`;
const load = async (cache: GroupFileCache) => {
  const r = await loadGroups('groups', dir, { cache });
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.value;
};

describe('GroupFileCache', () => {
  it('reads only the file that changed, and the result equals a cold load', async () => {
    for (let i = 0; i < 5; i++) write(`groups/g${i}.yaml`, group(`G${i}`, [i, i + 100]));
    const cache = new GroupFileCache();
    await load(cache);
    expect(cache.stats).toEqual({ hits: 0, misses: 5 });
    await load(cache);
    expect(cache.stats).toEqual({ hits: 5, misses: 5 });
    write('groups/g2.yaml', group('G2', [2, 102, 202]));
    const after = await load(cache);
    expect(cache.stats).toEqual({ hits: 9, misses: 6 });
    const cold = await load(new GroupFileCache());
    expect(after.state).toEqual(cold.state);
    expect([...after.state.values()].find((g) => g.group.name === 'G2')!.members.size).toBe(3);
  });

  it('sees a change that keeps size and content length (modification time) and a file removed or added', async () => {
    write('groups/a.yaml', group('A', [1]));
    write('groups/b.yaml', group('B', [2]));
    const cache = new GroupFileCache();
    await load(cache);
    write('groups/a.yaml', group('A', [7]));
    utimesSync(join(dir, 'groups/a.yaml'), new Date(), new Date(Date.now() + 5000));
    rmSync(join(dir, 'groups/b.yaml'));
    write('groups/c.yaml', group('C', [3]));
    const value = await load(cache);
    expect([...value.state.values()].map((g) => [g.group.name, [...g.members.values()][0]!.identities[0]!.value])).toEqual([
      ['A', '7'],
      ['C', '3'],
    ]);
  });

  it('reads a group file again when one of its member lists changed', async () => {
    write('groups/vip.yaml', 'name: VIP\nmemberFiles: [vip.csv]\n');
    write('groups/vip.csv', 'phone\n1\n');
    const cache = new GroupFileCache();
    await load(cache);
    write('groups/vip.csv', 'phone\n1\n2\n');
    const value = await load(cache);
    expect([...value.state.values()][0]!.members.size).toBe(2);
    expect(cache.stats.misses).toBe(2);
  });

  it('does not keep a file with problems: fixing another file can fix it', async () => {
    write('groups/vip.yaml', 'name: VIP\nmemberFiles: [vip.csv]\n');
    const cache = new GroupFileCache();
    expect((await loadGroups('groups', dir, { cache })).ok).toBe(false);
    write('groups/vip.csv', 'phone\n1\n');
    expect((await loadGroups('groups', dir, { cache })).ok).toBe(true);
  });
});

describe('what the cache keeps with each group: country-prefix warnings and endpoint-rule issues', () => {
  const v1 = { userEndpoint: 'v1' as const, v1Match: {} };
  const messages = (r: Awaited<ReturnType<typeof loadGroups>>) => (r.ok ? r.value.warnings : r.issues).map((i) => `${i.file}:${i.line}: ${i.message}`);

  it('gives the warnings and issues of a cold load after an edit, a rule change and a fix', async () => {
    write('groups/a.yaml', 'name: A\nmembers:\n  - phone: "13800000001"\n  - phone: "+8613800000001"\n');
    write('groups/b.yaml', 'name: B\nmembers:\n  - phone: "13900000002"\n');
    write('groups/c.yaml', 'name: C\nmembers:\n  - openid: o6_bmjrPTlm6_2sgVt7hMZOPfL2M\n    platform: gzh\n');
    const cache = new GroupFileCache();
    const first = await loadGroups('groups', dir, { cache });
    expect(messages(first)).toEqual(messages(await loadGroups('groups', dir)));
    expect(messages(first).join('\n')).toContain('groups/a.yaml:4');
    // An edit of the other file: a's warning is still there, from the cache.
    write('groups/b.yaml', 'name: B\nmembers:\n  - phone: "13900000002"\n  - phone: "008613900000002"\n');
    const edited = await loadGroups('groups', dir, { cache });
    expect(cache.stats.hits).toBeGreaterThan(0);
    expect(messages(edited)).toEqual(messages(await loadGroups('groups', dir)));
    expect(messages(edited).some((m) => m.startsWith('groups/b.yaml:4'))).toBe(true);
    // The same files under other endpoint rules (the config changed): the rules' issues come back
    // for cached files too (c.yaml is read from the cache), as a cold load finds them.
    const hits = cache.stats.hits;
    const underV1 = await loadGroups('groups', dir, { cache, rules: v1 });
    expect(cache.stats.hits).toBe(hits + 3);
    expect(underV1.ok).toBe(false);
    expect(messages(underV1).join('\n')).toContain('groups/c.yaml:3: openid has platform');
    expect(messages(underV1)).toEqual(messages(await loadGroups('groups', dir, { rules: v1 })));
    const backToV2 = await loadGroups('groups', dir, { cache });
    expect(backToV2.ok).toBe(true);
    expect(messages(backToV2)).toEqual(messages(await loadGroups('groups', dir)));
  });
});

describe('DiffMemo and SnapshotCache', () => {
  it('compare only the edited group on a re-plan, and plan exactly as a cold run does', async () => {
    for (let i = 0; i < 4; i++) write(`groups/g${i}.yaml`, group(`G${i}`, [i, i + 10]));
    const cache = new GroupFileCache();
    const memo = new DiffMemo();
    const snapshots = new SnapshotCache();
    const statePath = join(dir, '.groupops/snapshot.json');
    const first = await load(cache);
    await writeSnapshot(nodeFileSystem(), statePath, { applied: first.state, lastApply: null });
    const applied = (await snapshots.read(nodeFileSystem(), statePath)).snapshot.applied;
    expect(buildPlan(first.state, applied, { memo }).changes).toEqual([]);
    expect(memo.stats).toEqual({ reused: 0, compared: 4 });

    write('groups/g1.yaml', group('G1', [1, 11, 99]));
    const second = await load(cache);
    const again = (await snapshots.read(nodeFileSystem(), statePath)).snapshot.applied;
    expect(again).toBe(applied);
    expect(snapshots.stats).toEqual({ hits: 1, misses: 1 });
    const plan = buildPlan(second.state, again, { memo });
    expect(memo.stats).toEqual({ reused: 3, compared: 1 });
    expect(plan).toEqual(buildPlan(second.state, again));
    expect(plan.summary).toEqual({ add: 1, delete: 0, requests: 1 });
  });

  it('reads the snapshot again when it changed', async () => {
    const statePath = join(dir, '.groupops/snapshot.json');
    const snapshots = new SnapshotCache();
    expect((await snapshots.read(nodeFileSystem(), statePath)).snapshot.applied.size).toBe(0);
    write('groups/a.yaml', group('A', [1]));
    await writeSnapshot(nodeFileSystem(), statePath, { applied: (await load(new GroupFileCache())).state, lastApply: null });
    expect((await snapshots.read(nodeFileSystem(), statePath)).snapshot.applied.size).toBe(1);
    expect(snapshots.stats).toEqual({ hits: 0, misses: 2 });
  });
});
