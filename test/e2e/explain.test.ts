import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeEach, describe, expect, it } from 'vitest';
import { FORMAT_VERSION } from '../../src/core/render/json.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { REPO_ROOT, runMain, type MainRun } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

// `groupops explain` end to end: the built CLI in a temp git repository applied to the sandbox,
// then edited, so that every status shows; every JSON document is checked against its schema.

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'explain-output.schema.json'), 'utf8')) as object;
const validate = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);

interface ExplainDoc {
  formatVersion: string;
  query: string;
  matched: boolean;
  snapshot: { path: string; exists: boolean; lastApply: { commit: string | null; requests: { op: string; batchId?: string }[] } | null };
  journal: { path: string; requests: number } | null;
  members: {
    key: { type: string; value: string };
    memberships: {
      group: { name: string; category?: string; kind?: string };
      status: string;
      written: { file: string; line: number; groupFile: string; identities: { type: string; value: string }[] } | null;
      recorded: { identities: { type: string; value: string }[] } | null;
      declaredIn: { file: string; line: number } | null;
      journal?: { op: string; batchId?: string };
    }[];
  }[];
}

/** Parses a JSON document of explain and checks it against schemas/explain-output.schema.json. */
function doc(result: MainRun): ExplainDoc {
  const value: unknown = JSON.parse(result.stdout);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  return value as ExplainDoc;
}

let sandbox: Sandbox;
let repo: TempRepo | undefined;
const own = ownedPerTest();

beforeEach(async () => {
  sandbox = own(await startSandbox());
});

const explain = (args: string[]): Promise<MainRun> => runMain(['explain', ...args], { cwd: repo!.dir });

/** The shipped groups plus a CSV member list, applied to the sandbox and committed. */
async function appliedRepo(): Promise<TempRepo> {
  repo = own(
    await createTempRepo({
      copy: { groups: join(REPO_ROOT, 'groups') },
      files: {
        'groups/enterprise/bulk.yaml': 'name: Bulk\nmemberFiles:\n  - bulk.csv\n',
        'groups/enterprise/bulk.csv': 'phone,unionid\n13700000001,\n13700000002,\n13900000000,\n',
      },
      git: true,
    }),
  );
  const applied = await runMain(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url } });
  expect(applied.code, applied.stderr).toBe(0);
  repo.commit('snapshot');
  return repo;
}

describe('groupops explain', () => {
  it('shows every group of the member with its file and line, applied or pending, written and recorded identities (text)', async () => {
    const r = await appliedRepo();
    // The person changes phone in VIP, joins R&D, and a whole group file goes.
    const vip = await r.read('groups/enterprise/vip-customers.yaml');
    await r.write({
      'groups/enterprise/vip-customers.yaml': vip.replace('{ type: phone, value: "13900000000" }', '{ type: phone, value: "13911110000" }'),
      'groups/departments/rd-wecom.yaml': `${await r.read('groups/departments/rd-wecom.yaml')}  - phone: "13900000000"\n`,
      'groups/enterprise/bulk.csv': 'phone,unionid\n13700000001,\n13700000002,\n13900000000,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\n',
    });
    const result = await explain(['13900000000']);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('"13900000000" matches 2 members, in 4 groups:');
    expect(out).toContain(
      [
        'member unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        '  = Beta testers (enterprise): applied',
        '      written at groups/enterprise/beta-testers.yaml:6: unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o + phone 13900000000',
        '      recorded in the snapshot: unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o + phone 13900000000',
        '  ~ VIP客户 (enterprise): pending update (its identities changed: the next apply re-sends it as an add)',
        '      written at groups/enterprise/vip-customers.yaml:12: unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o + phone 13911110000',
        '      recorded in the snapshot: unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o + phone 13900000000',
      ].join('\n'),
    );
    // The CSV row: its own line, and the group file that lists the CSV.
    expect(out).toContain(
      '  ~ Bulk (enterprise): pending update (its identities changed: the next apply re-sends it as an add)\n      written at groups/enterprise/bulk.csv:4 (member list of groups/enterprise/bulk.yaml): phone 13900000000 + unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\n      recorded in the snapshot: phone 13900000000',
    );
    expect(out).toMatch(
      / {2}\+ 研发部 H5 培训 \(department, wxDeptId 1001\): pending add \(written, not applied yet: the next apply adds it\)\n {6}written at groups\/departments\/rd-wecom\.yaml:\d+: phone 13900000000/,
    );
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(r.dir, '.groupops/snapshot.json'));
    const batch = snapshot.lastApply!.requests.find((q) => q.batchId !== undefined)!.batchId!;
    expect(out).toContain(`The snapshot's last apply: commit ${snapshot.lastApply!.commit!.slice(0, 12)}, ${snapshot.lastApply!.time}, 2 requests: add batch ${batch}, add (customer groups).`);
  });

  it('says a removed group file deletes the membership and leaves the group, by a key as the plan prints it', async () => {
    const r = await appliedRepo();
    await r.write({ 'groups/departments/sales-east.yaml': null });
    // A plan line that starts with "-" follows "--", as any argument that looks like an option.
    for (const args of [['phone 13800000005'], ['phone:13800000005'], ['--', '- phone 13800000005'], ['{"type":"phone","value":"13800000005"}']]) {
      const result = await explain(args);
      const query = args.join(' ');
      expect(result.code, query).toBe(0);
      expect(result.stdout).toContain(
        '  - 华东销售 (department, deptId 40213): pending delete (no group file declares this group any more: the next apply deletes the membership; the group itself stays on the platform)',
      );
    }
    expect((await explain(['unionid 13800000005'])).code).toBe(1);
  });

  it('prints a JSON document with formatVersion, valid against its schema, with the batch IDs of the last apply', async () => {
    const r = await appliedRepo();
    await r.write({ 'groups/enterprise/newsletter.yaml': null });
    const result = await explain(['13900000000', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const d = doc(result);
    expect(d).toMatchObject({ formatVersion: FORMAT_VERSION, query: '13900000000', matched: true, journal: null });
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(r.dir, '.groupops/snapshot.json'));
    expect(d.snapshot).toEqual({
      path: '.groupops/snapshot.json',
      exists: true,
      lastApply: { commit: snapshot.lastApply!.commit, time: snapshot.lastApply!.time, endpoint: snapshot.lastApply!.endpoint, complete: true, requests: snapshot.lastApply!.requests },
    });
    const beta = d.members.flatMap((m) => m.memberships).find((m) => m.group.name === 'Beta testers')!;
    expect(beta).toEqual({
      group: { name: 'Beta testers', category: 'enterprise' },
      status: 'applied',
      written: {
        file: 'groups/enterprise/beta-testers.yaml',
        line: 6,
        groupFile: 'groups/enterprise/beta-testers.yaml',
        identities: [
          { type: 'unionid', value: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
          { type: 'phone', value: '13900000000' },
        ],
      },
      recorded: {
        identities: [
          { type: 'unionid', value: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
          { type: 'phone', value: '13900000000' },
        ],
      },
      declaredIn: { file: 'groups/enterprise/beta-testers.yaml', line: 2 },
    });
    const bulk = d.members.flatMap((m) => m.memberships).find((m) => m.group.name === 'Bulk')!;
    expect(bulk.written).toMatchObject({ file: 'groups/enterprise/bulk.csv', line: 4, groupFile: 'groups/enterprise/bulk.yaml' });
  });

  it('names the exact batch of a pending journal (an interrupted apply)', async () => {
    const r = await appliedRepo();
    await r.write({ 'groups/enterprise/vip-customers.yaml': `${await r.read('groups/enterprise/vip-customers.yaml')}  - phone: "13600000001"\n` });
    // What an apply killed after its first acknowledgement leaves next to the snapshot (schemas/journal.schema.json).
    const header = {
      journal: 2,
      applyId: 'explain-test',
      base: null,
      commit: r.git('rev-parse', 'HEAD'),
      endpoint: `${sandbox.url}/api/integrate/audience/group/rel/v2/batchAdd`,
      toolVersion: '0.1.0',
      started: '2025-06-01T10:00:00.000Z',
    };
    const record = { index: 0, op: 'add', batchId: '15314513451349999', items: [{ member: { identities: [{ type: 'phone', value: '13600000001' }] }, category: 'enterprise', groups: ['VIP客户'] }] };
    await r.write({ '.groupops/snapshot.json.journal': `${JSON.stringify(header)}\n${JSON.stringify(record)}\n` });
    const text = await explain(['13600000001']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      '  = VIP客户 (enterprise): applied by add batch 15314513451349999 of an interrupted apply (in the journal .groupops/snapshot.json.journal, which the next apply folds into the snapshot)',
    );
    expect(text.stdout).toContain('An interrupted apply (started 2025-06-01T10:00:00.000Z) left 1 acknowledged request in .groupops/snapshot.json.journal; they count as applied.');
    const d = doc(await explain(['13600000001', '--format', 'json']));
    expect(d.journal).toEqual({ path: '.groupops/snapshot.json.journal', started: '2025-06-01T10:00:00.000Z', commit: header.commit, requests: 1 });
    expect(d.members[0]!.memberships[0]).toMatchObject({ status: 'applied', journal: { op: 'add', batchId: '15314513451349999' } });
  });

  it('says clearly when nothing matches (exit 1), in text and in JSON', async () => {
    await appliedRepo();
    const text = await explain(['13000000000']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Nothing matches "13000000000": no member of the group files (groups/) or the snapshot (.groupops/snapshot.json) has an identity with this value.');
    const json = await explain(['13000000000', '--format', 'json']);
    expect(json.code).toBe(1);
    expect(doc(json)).toMatchObject({ matched: false, members: [] });
  });

  it('matches a masked value, masks on request, and says when there is no snapshot yet', async () => {
    repo = own(await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, git: true }));
    const masked = await explain(['139****0000']);
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stdout).toContain('member unionid oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(masked.stdout).toContain('No snapshot yet (.groupops/snapshot.json): nothing was applied, so every membership written is pending.');
    expect(masked.stdout).not.toContain('unchanged');
    // In CI, as every output: masked unless --no-mask.
    const ci = await runMain(['explain', '13900000000'], { cwd: repo.dir, env: { CI: 'true' } });
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stdout).not.toContain('13900000000');
    expect((await runMain(['explain', '13900000000', '--no-mask'], { cwd: repo.dir, env: { CI: 'true' } })).stdout).toContain('phone 13900000000');
    const hidden = await explain(['13900000000', '--mask', '--format', 'json']);
    expect(hidden.stdout).not.toContain('13900000000');
    expect(doc(hidden)).toMatchObject({ query: '139****0000', snapshot: { exists: false, lastApply: null } });
  });

  it('refuses an empty query and invalid group files, changing nothing', async () => {
    repo = own(await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, files: { 'groups/bad.yaml': 'name: Bad\nmembers:\n  - phone: 13800000000\n' } }));
    const before = await repo.fingerprint();
    const empty = await explain(['  ']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('expected an identity value or a member key');
    const invalid = await explain(['13900000000']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^groups\/bad\.yaml:3:\d+: /m);
    expect(await repo.fingerprint()).toEqual(before);
  });
});
