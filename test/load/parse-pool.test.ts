import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGroupFile } from '../../src/load/load-group-file.js';
import { loadGroups } from '../../src/load/load-groups.js';

// Workers run the built JavaScript (dist/), which `npm test` builds first; the results must be
// exactly those of the in-process path the rest of the suite uses.
const dist = join(import.meta.dirname, '../../dist/src/load');
type Pool = typeof import('../../src/load/parse-pool.js');
type Loader = typeof import('../../src/load/load-groups.js');
const fromDist = async <T>(name: string): Promise<T> => (await import(pathToFileURL(join(dist, name)).href)) as T;

let dir: string;
const files: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'groupops-pool-'));
  mkdirSync(join(dir, 'groups/big'), { recursive: true });
  for (let f = 0; f < 12; f++) {
    const lines = [`name: group-${f}`, f % 3 === 0 ? 'memberFiles: [list.csv]' : '', 'members:'];
    for (let i = 0; i < 2500; i++) {
      const n = f * 10_000 + i;
      lines.push(i % 7 === 0 ? `  - identities:\n      - { type: unionid, value: u${n} }\n      - { type: phone, value: "${n}" }` : `  - openid: o${n}\n    platform: gzh\n    appid: wx1\n    isWeChatEcosystem: ${i % 2 === 0}`);
    }
    files.push(`groups/big/g${f}.yaml`);
    writeFileSync(join(dir, files.at(-1)!), `${lines.join('\n')}\n`);
  }
  writeFileSync(join(dir, 'groups/big/list.csv'), `phone,unionid\n${Array.from({ length: 3000 }, (_, i) => `9${i},u${i}`).join('\n')}\n`);
  // One file the fast path leaves to the full parser, one with problems.
  writeFileSync(join(dir, 'groups/dept.yaml'), 'name: D\ncategory: department\ndepartment:\n  deptId: 12\nmembers:\n  - phone: "1"\n');
  // Its issues quote identity values (an unquoted number, a duplicate): their sensitive lists must cross the thread too.
  writeFileSync(join(dir, 'groups/broken.yaml'), 'name: B\nmembers:\n  - phone: 13800000000\n  - phone: "13900000000"\n  - phone: "13900000000"\n');
  files.push('groups/dept.yaml', 'groups/broken.yaml');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A load result with every member map as a Map, in its order: the build and the sources each have
 * their own SortedMembers class (member lists in key order), which toEqual tells apart.
 */
const plain = (r: Awaited<ReturnType<typeof loadGroups>>): unknown =>
  r.ok ? { ...r, value: { ...r.value, state: new Map([...r.value.state].map(([k, g]) => [k, { ...g, members: new Map(g.members) }])) } } : r;

describe('parsing on worker threads', () => {
  it('runs from the build', async () => {
    expect(existsSync(join(dist, 'parse-worker.js'))).toBe(true);
    expect((await fromDist<Pool>('parse-pool.js')).workersAvailable()).toBe(true);
  });

  it('gives each file the result the in-process reader gives, in order', async () => {
    const pool = await fromDist<Pool>('parse-pool.js');
    const where = { cwd: dir, root: join(dir, 'groups') };
    const sizes = files.map((f) => statSync(join(dir, f)).size);
    const results = await pool.readInPool(where, files, sizes, 2);
    expect(results).toEqual(files.map((f) => loadGroupFile(where, f)));
    expect(results.filter((r) => r.ok)).toHaveLength(files.length - 1);
    const broken = results.at(-1)!;
    expect(broken.ok ? [] : broken.issues.map((i) => i.sensitive)).toEqual([['13800000000'], ['13900000000']]);
  });

  it('loads a whole folder as the in-process path does (the pool is used above 1 MiB)', async () => {
    const { loadGroups: loadInDist } = await fromDist<Loader>('load-groups.js');
    const pooled = await loadInDist('groups', dir, { threads: 2 });
    const inProcess = await loadGroups('groups', dir, { threads: 1 });
    expect(plain(pooled)).toEqual(plain(inProcess));
    expect(pooled.ok).toBe(false);
    writeFileSync(join(dir, 'groups/broken.yaml'), 'name: B\nmembers: []\n');
    const fixed = await loadInDist('groups', dir, { threads: 2 });
    expect(plain(fixed)).toEqual(plain(await loadGroups('groups', dir, { threads: 1 })));
    expect(fixed.ok && [...fixed.value.state.values()].reduce((n, g) => n + g.members.size, 0)).toBe(12 * 2500 + 4 * 3000 + 1);
  });
});
