import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { groupYaml, tempRepo } from '../../github/gh-env.js';
import { phones as phoneRange } from '../../helpers/apply-env.js';
import { runMain } from '../../helpers/cli.js';

// Every JSON document the commands print carries a formatVersion and matches its schema in schemas/,
// for successful runs and for refused, failed and invalid ones alike.

const schema = (name: string): ValidateFunction => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas', `${name}-output.schema.json`), 'utf8')) as object);
};
const schemas = { validate: schema('validate'), plan: schema('plan'), apply: schema('apply') };

/** Parses stdout as one JSON document and checks it against the command's schema. */
function documentOf(command: keyof typeof schemas, stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const validate = schemas[command];
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  expect(doc.formatVersion).toBe('1.1');
  return doc;
}

/** 139NNNNNNNN phone numbers for [from, to). */
const phones = (from: number, to: number) => phoneRange(from, to, '139');
const VALID = {
  'groups/vip.yaml': groupYaml('VIP', phones(0, 30)),
  'groups/dept.yaml': groupYaml('研发部', phones(0, 2), '1001'),
  'groups/customers.yaml': 'name: 会员\nkind: customer\nmembers:\n  - phone: "15800000001"\n',
  'groups/people.yaml': 'name: People\nmembers:\n  - identities:\n      - { type: unionid, value: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o }\n      - { type: phone, value: "13900000000" }\n',
  '.groupops/config.yaml': 'api:\n  retries: 0\n',
};
const INVALID = 'name: Bad\nmembers:\n  - phone: 18888888888\n';

let sb: Sandbox;
let repo: Awaited<ReturnType<typeof tempRepo>>;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.close();
});
afterEach(async () => {
  await repo.cleanup();
});
const env = () => ({ RABBITPRE_TOKEN: sb.token, RABBITPRE_BASE_URL: sb.url, NO_COLOR: '1' });

describe('validate --format json', () => {
  it('valid, invalid files, and an invalid config', async () => {
    repo = await tempRepo(VALID);
    expect(documentOf('validate', (await runMain(['validate', '--format', 'json'], { cwd: repo.dir })).stdout)).toMatchObject({ valid: true, files: 4, groups: 4 });
    await repo.write('groups/bad.yaml', INVALID);
    const invalid = await runMain(['validate', '--format', 'json'], { cwd: repo.dir });
    expect(invalid.code).toBe(1);
    expect(documentOf('validate', invalid.stdout)).toMatchObject({ valid: false, issues: [expect.objectContaining({ file: 'groups/bad.yaml', line: 3 })] });
    await repo.write('.groupops/config.yaml', 'output:\n  maskIdentity: true\n');
    const config = await runMain(['validate', '--format', 'json'], { cwd: repo.dir });
    expect(config.code).toBe(1);
    expect(documentOf('validate', config.stdout)).toMatchObject({ valid: false, issues: [expect.objectContaining({ file: '.groupops/config.yaml', line: 2 })] });
  });
});

describe('plan --format json', () => {
  it('a plan with every kind of group and a re-sent member; invalid files and a corrupt snapshot give an error document', async () => {
    repo = await tempRepo(VALID);
    expect((await runMain(['apply', '--auto-approve'], { cwd: repo.dir, env: env() })).code).toBe(0);
    await repo.write('groups/people.yaml', VALID['groups/people.yaml'].replace('13900000000', '13911110000'));
    // The plans name the tenant the snapshot records (the sandbox), as the apply did.
    const tenant = { RABBITPRE_BASE_URL: sb.url };
    const plan = documentOf('plan', (await runMain(['plan', '--format', 'json'], { cwd: repo.dir, env: tenant })).stdout);
    expect(plan.changes).toEqual([expect.objectContaining({ op: 'add', previous: expect.anything() })]);

    await repo.write('groups/bad.yaml', INVALID);
    const invalid = await runMain(['plan', '--format', 'json'], { cwd: repo.dir, env: tenant });
    expect(invalid.code).toBe(1);
    const doc = documentOf('plan', invalid.stdout);
    expect(doc).toMatchObject({ error: { code: 'INVALID_INPUT', issues: [expect.objectContaining({ file: 'groups/bad.yaml', line: 3, column: 12 })] } });
    // Masked when asked, as the plan would be.
    expect((await runMain(['plan', '--format', 'json', '--mask'], { cwd: repo.dir, env: tenant })).stdout).not.toContain('18888888888');

    await repo.write('groups/bad.yaml', VALID['groups/vip.yaml'].replace('VIP', 'Other'));
    await repo.write('.groupops/snapshot.json', '{ "schemaVersion": 1,');
    expect(documentOf('plan', (await runMain(['plan', '--format', 'json'], { cwd: repo.dir, env: tenant })).stdout)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });
});

describe('apply --format json', () => {
  it('applied, refused, failed part-way, invalid and without a token: each a document its schema describes', async () => {
    repo = await tempRepo(VALID);
    const applied = await runMain(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir, env: env() });
    expect(applied.code, applied.stderr).toBe(0);
    expect(documentOf('apply', applied.stdout)).toMatchObject({ status: 'applied', complete: true, snapshot: { written: true } });

    await repo.write('groups/vip.yaml', groupYaml('VIP', phones(0, 2)));
    const refused = await runMain(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir, env: env() });
    expect(refused.code).toBe(3);
    expect(documentOf('apply', refused.stdout)).toMatchObject({ status: 'refused', complete: false, batches: [], error: { code: 'UNSAFE_PLAN' } });

    await repo.write('groups/vip.yaml', groupYaml('VIP', phones(0, 31)));
    await repo.write('groups/dept.yaml', groupYaml('研发部', phones(0, 1), '1001'));
    sb.setFaults({ script: ['ok', 'http500'] });
    const failed = await runMain(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir, env: env() });
    sb.setFaults({});
    expect(failed.code).toBe(1);
    expect(documentOf('apply', failed.stdout)).toMatchObject({ status: 'failed', complete: false, error: { code: 'API_ERROR' } });

    await repo.write('groups/bad.yaml', INVALID);
    const invalid = await runMain(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir, env: env() });
    expect(invalid.code).toBe(1);
    expect(documentOf('apply', invalid.stdout)).toMatchObject({ status: 'invalid', complete: false, batches: [], error: { code: 'INVALID_INPUT', issues: [expect.objectContaining({ line: 3 })] } });

    // Without a terminal, without --auto-approve and outside CI: not approved, nothing sent.
    await repo.write('groups/bad.yaml', groupYaml('Bad', phones(40, 41)));
    const sent = sb.requests().length;
    const cancelled = await runMain(['apply', '--format', 'json'], { cwd: repo.dir, env: env() });
    expect(cancelled.code).toBe(1);
    expect(sb.requests()).toHaveLength(sent);
    expect(documentOf('apply', cancelled.stdout)).toMatchObject({ status: 'cancelled', complete: false, batches: [], error: { code: 'NOT_APPROVED' } });

    const noToken = await runMain(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('RABBITPRE_TOKEN is not set');
    expect(documentOf('apply', noToken.stdout)).toMatchObject({ status: 'failed', complete: false, error: { code: 'CONFIG_ERROR' } });
  });
});
