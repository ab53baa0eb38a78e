import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { adoptEditApply, refuseOtherTargets, type FlowCli, type FlowRepo } from '../helpers/adopt-flow.js';
import { REPO_ROOT, runMain } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

let sandbox: Sandbox;
let other: Sandbox;
let repo: TempRepo | undefined;
const own = ownedPerTest();

beforeEach(async () => {
  sandbox = own(await startSandbox());
  other = own(await startSandbox());
});

const cliIn =
  (r: TempRepo): FlowCli =>
  (args, env = {}) =>
    runMain(args, { cwd: r.dir, env: { NO_COLOR: '1', ...env } });

const flowRepo = (r: TempRepo): FlowRepo => ({ write: (files) => r.write(files), read: (rel) => r.read(rel), commit: (message) => void r.commit(message) });

const groupFile = (name: string, phones: readonly string[]): string => `name: ${name}\nmembers:\n${phones.map((p) => `  - phone: "${p}"\n`).join('')}`;

const adoptSchema = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(
  JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'adopt-output.schema.json'), 'utf8')) as object,
);

/** Parses adopt's stdout as one JSON document and checks it against schemas/adopt-output.schema.json. */
function adoptDocument(stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  expect(adoptSchema(doc), JSON.stringify(adoptSchema.errors)).toBe(true);
  expect(doc.formatVersion).toBe('1.1');
  return doc;
}

describe('groupops adopt (end to end, the built CLI in a temp git repository, against the sandbox)', () => {
  it('adopts an export, plans no changes, applies only an edit, and refuses the snapshot for another target (exit 3)', async () => {
    repo = own(await createTempRepo({ git: true, prefix: 'groupops-e2e-adopt-' }));
    await adoptEditApply(cliIn(repo), flowRepo(repo), sandbox);
    await refuseOtherTargets(cliIn(repo), flowRepo(repo), sandbox, other);
  }, 120_000);

  it('adopts the current group files: the plan is empty and the first apply sends nothing', async () => {
    repo = own(await createTempRepo({ git: true, files: { 'groups/a.yaml': groupFile('A', ['18800000001', '18800000002']), 'groups/b.yaml': groupFile('B', ['18800000001']) } }));
    const cli = cliIn(repo);
    const env = { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url };
    const adopted = await cli(['adopt'], env);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toContain(`Adopted 3 memberships in 2 groups from the group files as already on target "default" (${sandbox.url}). Nothing was sent.`);
    const snapshot = JSON.parse(await repo.read('.groupops/snapshot.json')) as { lastApply: Record<string, unknown> };
    expect(snapshot.lastApply).toMatchObject({ commit: repo.git('rev-parse', 'HEAD'), adopted: 'groups', complete: true, requests: [] });
    const applied = await cli(['apply', '--auto-approve'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Nothing to apply: nothing was sent.');
    expect(sandbox.requests()).toHaveLength(0);
  });

  it('refuses to replace a snapshot that records memberships, or existing group files, unless --force; changes nothing when it refuses', async () => {
    repo = own(await createTempRepo({ git: true, files: { 'groups/a.yaml': groupFile('A', ['18800000001']), 'export.csv': 'group,phone\nA,18800000009\nB,18800000009\n' } }));
    const cli = cliIn(repo);
    expect((await cli(['adopt'])).code).toBe(0);
    const before = await repo.fingerprint();
    const again = await cli(['adopt']);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('refusing to adopt: .groupops/snapshot.json already records 1 membership');
    expect(again.stderr).toContain('--force');
    const fromExport = await cli(['adopt', '--from', 'export.csv']);
    expect(fromExport.code).toBe(3);
    expect(await repo.fingerprint()).toEqual(before);

    const forced = await cli(['adopt', '--from', 'export.csv', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    // groups/a.yaml declares group A, which the export has: it makes way for the export's file.
    expect(forced.stdout).toContain('Removed 1 file whose groups the export replaces (--force):\n  groups/a.yaml');
    expect(await repo.exists('groups/a.yaml')).toBe(false);
    expect(await repo.read('groups/A.yaml')).toContain('"18800000009"');
    expect(await repo.read('groups/B.yaml')).toContain('"18800000009"');
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it("takes the example `groupops init` wrote, unchanged, for a placeholder that makes way for the export; an edited one is a group of the user's", async () => {
    repo = own(await createTempRepo({ git: true, files: { 'export.csv': 'group,phone\nA,18800000009\n' } }));
    const cli = cliIn(repo);
    expect((await cli(['init'])).code).toBe(0);
    const example = await repo.read('groups/example.yaml');
    await repo.write({ 'groups/example.yaml': example.replace('members: []', 'members:\n  - phone: "18800000001"') });
    const before = await repo.fingerprint();
    const edited = await cli(['adopt', '--from', 'export.csv']);
    expect(edited.code).toBe(3);
    expect(edited.stderr).toContain('groups/ already holds 1 group file');
    expect(await repo.fingerprint()).toEqual(before);

    await repo.write({ 'groups/example.yaml': example });
    const adopted = await cli(['adopt', '--from', 'export.csv']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toContain('Removed groups/example.yaml: the example `groupops init` wrote, unchanged');
    expect(await repo.exists('groups/example.yaml')).toBe(false);
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('keeps group files whose groups the export does not have, at their paths, and says that plan shows them as adds', async () => {
    const old = groupFile('Old', ['18800000001']);
    repo = own(await createTempRepo({ git: true, files: { 'groups/New.yaml': old, 'export.csv': 'group,phone\nNew,18800000002\n' } }));
    const r = await cliIn(repo)(['adopt', '--from', 'export.csv', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote 1 file:\n  groups/New (2).yaml');
    expect(r.stdout).toContain('1 other group file in the groups folder is not in the export: groupops plan shows its memberships as adds.');
    expect(await repo.read('groups/New.yaml')).toBe(old);
    const plan = await cliIn(repo)(['plan']);
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to delete, in 1 request.');
  });

  it('a bad export changes nothing and names every problem at its line and column', async () => {
    const bad = ['group,category,deptId,phone,email', 'A,,,18800000001,a@example.com', ',,,18800000002,', 'D,department,,18800000003,', 'E,,12,18800000004,'].join('\n');
    repo = own(await createTempRepo({ git: true, files: { 'export.csv': `${bad}\n` } }));
    const before = await repo.fingerprint();
    const r = await cliIn(repo)(['adopt', '--from', 'export.csv', '--ignore-column', 'email']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('export.csv:3:1: the group cell is empty');
    expect(r.stderr).toContain('export.csv:4:3: category department needs exactly one of wxDeptId, thirdDeptId, deptId');
    expect(r.stderr).toContain('export.csv:5:4: deptId is set but the category is empty (enterprise)');
    expect(r.stderr).toContain('nothing was changed');
    expect(await repo.fingerprint()).toEqual(before);
    const missing = await cliIn(repo)(['adopt', '--from', 'no-such.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such.csv:1:1: the export does not exist');
    expect(await repo.fingerprint()).toEqual(before);
  });

  it('a group the configured endpoint cannot carry is reported at the file adopt would write, and nothing is written', async () => {
    repo = own(
      await createTempRepo({
        git: true,
        files: { '.groupops/config.yaml': 'userGroups:\n  endpoint: v1\nv1:\n  isMatching: true\n', 'export.csv': 'group,category,wxDeptId,phone\nD,department,7,18800000001\n' },
      }),
    );
    const before = await repo.fingerprint();
    const r = await cliIn(repo)(['adopt', '--from', 'export.csv']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/groups\/departments\/wxDeptId-7\/D\.yaml:\d+:\d+: group "D" is a department group, which the v1 endpoint/);
    expect(await repo.fingerprint()).toEqual(before);
  });

  it('a snapshot of the previous release (no target) is read as belonging to the URL it was applied to, and records its target at the next apply', async () => {
    repo = own(await createTempRepo({ git: true, files: { 'groups/a.yaml': groupFile('A', ['18800000001']) } }));
    const cli = cliIn(repo);
    const env = { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url };
    expect((await cli(['apply', '--auto-approve'], env)).code).toBe(0);
    // As the previous release wrote it: no target line.
    const text = await repo.read('.groupops/snapshot.json');
    await repo.write({ '.groupops/snapshot.json': text.replace(/^ {2}"target": .*\n/m, '') });
    const elsewhere = await cli(['plan'], { RABBITPRE_BASE_URL: other.url });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`was last applied to ${sandbox.url} (it records no target name yet)`);
    expect((await cli(['plan', '--detailed-exitcode'], env)).code).toBe(0);
    await repo.write({ 'groups/a.yaml': groupFile('A', ['18800000001', '18800000002']) });
    expect((await cli(['apply', '--auto-approve'], env)).code).toBe(0);
    expect(JSON.parse(await repo.read('.groupops/snapshot.json')).target).toEqual({ name: 'default', baseUrl: sandbox.url });
  });

  it('--format json: adopt, retarget and refusals print documents that match schemas/adopt-output.schema.json; a refused plan says UNSAFE_PLAN', async () => {
    repo = own(await createTempRepo({ git: true, files: { 'export.csv': 'group,phone\nA,18800000001\nB,18800000001\n', 'bad.csv': 'group,phone,email\nA,1,x\n' } }));
    const cli = cliIn(repo);
    const invalid = await cli(['adopt', '--from', 'bad.csv', '--format', 'json']);
    expect(invalid.code).toBe(1);
    expect(adoptDocument(invalid.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT', issues: [{ file: 'bad.csv', line: 1, column: 13 }] } });
    const adopted = await cli(['adopt', '--from', 'export.csv', '--format', 'json'], { RABBITPRE_BASE_URL: sandbox.url });
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adoptDocument(adopted.stdout)).toEqual({
      formatVersion: '1.1',
      adopted: { source: 'export', file: 'export.csv', groups: 2, memberships: 2 },
      target: { name: 'default', baseUrl: sandbox.url },
      snapshot: { path: '.groupops/snapshot.json', written: true, memberships: 2 },
      previous: { memberships: 0, target: null },
      files: ['groups/A.yaml', 'groups/B.yaml'],
      replaced: [],
      removed: [],
      otherGroupFiles: [],
      journalRemoved: false,
    });
    const refused = await cli(['adopt', '--format', 'json'], { RABBITPRE_BASE_URL: sandbox.url });
    expect(refused.code).toBe(3);
    expect(adoptDocument(refused.stdout)).toMatchObject({ error: { code: 'UNSAFE_PLAN' } });
    const plan = await cli(['plan', '--format', 'json'], { RABBITPRE_BASE_URL: other.url });
    expect(plan.code).toBe(3);
    expect(JSON.parse(plan.stdout)).toMatchObject({ formatVersion: '1.1', error: { code: 'UNSAFE_PLAN', message: expect.stringContaining('refusing to plan') } });
    const moved = await cli(['adopt', '--retarget', '--format', 'json'], { RABBITPRE_BASE_URL: other.url });
    expect(moved.code, moved.stderr).toBe(0);
    expect(adoptDocument(moved.stdout)).toMatchObject({
      adopted: null,
      target: { name: 'default', baseUrl: other.url },
      previous: { memberships: 2, target: { name: 'default', baseUrl: sandbox.url, from: 'recorded' } },
    });
    expect((await cli(['plan', '--detailed-exitcode'], { RABBITPRE_BASE_URL: other.url })).code).toBe(0);
  });

  it("apply --target takes the token from the target's variable and records the target", async () => {
    repo = own(
      await createTempRepo({
        git: true,
        files: {
          'groups/a.yaml': groupFile('A', ['18800000001']),
          '.groupops/config.yaml': `targets:\n  test:\n    baseUrl: ${other.url}\n    tokenEnv: RABBITPRE_TOKEN_TEST\n    state: .groupops/test.json\n  production:\n    baseUrl: ${sandbox.url}/\n    tokenEnv: RABBITPRE_TOKEN\n    state: .groupops/snapshot.json\n`,
        },
      }),
    );
    const cli = cliIn(repo);
    const several = await cli(['plan']);
    expect(several.code).toBe(1);
    expect(several.stderr).toContain('the config declares several targets (test, production): choose one with --target NAME');
    const unknown = await cli(['plan', '--target', 'prod']);
    expect(unknown.stderr).toContain('unknown target "prod"');
    const noToken = await cli(['apply', '--auto-approve', '--target', 'test'], { RABBITPRE_TOKEN: sandbox.token });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('RABBITPRE_TOKEN_TEST is not set (target "test" takes its token from it');
    const applied = await cli(['apply', '--auto-approve', '--target', 'test'], { RABBITPRE_TOKEN_TEST: other.token, RABBITPRE_BASE_URL: sandbox.url });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('warning: RABBITPRE_BASE_URL is not used: target "test" has its own base URL');
    expect(other.requests()).toHaveLength(1);
    expect(sandbox.requests()).toHaveLength(0);
    expect(JSON.parse(await repo.read('.groupops/test.json')).target).toEqual({ name: 'test', baseUrl: other.url });
    expect(await repo.exists('.groupops/snapshot.json')).toBe(false);
    const validate = await cli(['validate', '--target', 'production']);
    expect(validate.code, validate.stderr).toBe(0);
  });
});
