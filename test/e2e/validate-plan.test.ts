import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/core/plan.js';
import { loadGroups } from '../../src/load/load-groups.js';
import { renderSnapshot } from '../../src/state/snapshot-format.js';
import { REPO_ROOT, runMain, type MainRun } from '../helpers/cli.js';
import { createTempRepo, type Files, type TempRepo } from '../helpers/temp-repo.js';

const STATE = '.groupops/snapshot.json';
const ESC = '\u001b[';
/** `path:line:col: message`, the form editors and CI logs link. */
const ISSUE_LINE = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?<column>\d+): \S/;

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

/** A temp git repo holding a copy of the shipped groups/ plus `files`. */
async function shippedRepo(files: Files = {}): Promise<TempRepo> {
  repo = await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, files, git: true, prefix: 'groupops-e2e-plan-' });
  return repo;
}

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<MainRun> => runMain(args, { cwd: repo!.dir, env });

/** The snapshot of the desired state in `groups/` right now: "everything applied". */
async function snapshotOfDesired(dir: string, groups = 'groups'): Promise<string> {
  const loaded = await loadGroups(groups, dir);
  if (!loaded.ok) throw new Error('the groups must be valid');
  return renderSnapshot({ applied: loaded.value.state, lastApply: null });
}

interface JsonPlan {
  summary: { add: number; delete: number; requests: number };
  checksum: string;
  changes: { op: 'add' | 'delete'; group: { name: string; category: string }; member: { identities: { type: string; value: string }[] } }[];
  requests: { op: string; items: number; memberships: number }[];
  batches: unknown[];
}

describe('groupops validate and plan on the shipped groups', () => {
  it('validate exits 0, counts the files, and writes nothing', async () => {
    await shippedRepo();
    const before = await repo!.fingerprint();
    const r = await cli(['validate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('6 group files valid: 6 groups, 20 memberships.\n');
    expect(await repo!.fingerprint()).toEqual(before);
  });

  it('plan exits 0, ends with the Plan line, and writes nothing', async () => {
    await shippedRepo();
    const before = await repo!.fingerprint();
    const r = await cli(['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  # group VIP客户 (enterprise)\n');
    expect(r.stdout).toContain('  + phone 18888888888\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Plan: 20 to add, 0 to delete, in 2 requests.');
    expect(await repo!.fingerprint()).toEqual(before);
  });

  it('--detailed-exitcode: 2 with changes, 0 once the snapshot matches', async () => {
    await shippedRepo();
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(2);
    await repo!.write({ [STATE]: await snapshotOfDesired(repo!.dir) });
    const r = await cli(['plan', '--detailed-exitcode']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect((await cli(['plan'])).code).toBe(0);
  });

  it('--format json: counts equal the diff, requests are the lower bound, checksum as computed in-process', async () => {
    await shippedRepo();
    const r = await cli(['plan', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as JsonPlan;
    expect(Object.keys(doc)).toEqual(['formatVersion', 'summary', 'checksum', 'changes', 'requests', 'batches']);
    expect(doc.summary).toEqual({ add: 20, delete: 0, requests: 2 });
    expect(doc.changes.filter((c) => c.op === 'add')).toHaveLength(doc.summary.add);
    expect(doc.requests).toEqual([
      { op: 'add', items: 14, memberships: 17 },
      { op: 'add', target: 'customer', items: 3, memberships: 3 },
    ]);
    const loaded = await loadGroups('groups', repo!.dir);
    if (!loaded.ok) throw new Error('expected valid groups');
    expect(doc.checksum).toBe(buildPlan(loaded.value.state, new Map()).checksum);
    expect(doc.changes[0]).toEqual({
      op: 'add',
      group: { name: '华东销售', category: 'department', department: { deptId: '40213' } },
      member: { identities: [{ type: 'phone', value: '13800000005' }] },
    });
  });

  it('--out writes the rendered plan to the file and nothing to stdout', async () => {
    await shippedRepo();
    const r = await cli(['plan', '--format', 'markdown', '--out', 'out/plan.md']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Plan written to out/plan.md: 20 to add, 0 to delete, in 2 requests.\n');
    const md = await repo!.read('out/plan.md');
    expect(md).toMatch(/^### groupops plan\n/);
    expect(md).toContain('+ phone 188****8888');
    expect(md).not.toContain('18888888888');
  });

  it('shows deletes for memberships in the snapshot that the files no longer hold, including a removed file', async () => {
    await shippedRepo();
    await repo!.write({ [STATE]: await snapshotOfDesired(repo!.dir) });
    await repo!.write({
      'groups/departments/sales-east.yaml': null,
      'groups/enterprise/vip-customers.yaml': (await repo!.read('groups/enterprise/vip-customers.yaml')).replace('  - phone: "13900000001"\n', ''),
    });
    const text = await cli(['plan']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  # group 华东销售 (department, deptId 40213)\n  - phone 13800000005\n  - phone 13800000006\n');
    expect(text.stdout).toContain('  - phone 13900000001\n');
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('Plan: 0 to add, 3 to delete, in 1 request.');
    const json = JSON.parse((await cli(['plan', '--format', 'json'])).stdout) as JsonPlan;
    expect(json.summary).toEqual({ add: 0, delete: 3, requests: 1 });
    expect(json.changes.map((c) => `${c.op} ${c.group.name} ${c.member.identities[0]!.value}`)).toEqual(['delete 华东销售 13800000005', 'delete 华东销售 13800000006', 'delete VIP客户 13900000001']);
  });

  it('prints no escape codes when stdout is not a terminal, with or without NO_COLOR', async () => {
    await shippedRepo();
    for (const env of [{}, { NO_COLOR: '1' }, { FORCE_COLOR: '0' }, { TERM: 'xterm-256color', COLORTERM: 'truecolor' }]) {
      const r = await cli(['plan'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stderr).not.toContain(ESC);
    }
  });

  it('colours a plan that is not going to a terminal with FORCE_COLOR, unless --no-color says otherwise', async () => {
    await shippedRepo();
    const forced = await cli(['plan'], { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(ESC);
    for (const args of [
      ['plan', '--no-color'],
      ['--no-color', 'plan'],
    ]) {
      const r = await cli(args, { FORCE_COLOR: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stdout).toContain('Plan: 20 to add');
    }
  });

  it('never passes escape sequences from the files to the terminal: control characters are refused, named, not printed', async () => {
    await shippedRepo({ 'groups/escape.yaml': 'name: Escape\nmembers:\n  - phone: "138\\e[2J0000"\n    platform: "gzh\\e]0;pwned\\a"\n' });
    const plan = await cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).not.toContain('\u001b');
    expect(plan.stderr).toContain('groups/escape.yaml:3:12: the phone value contains the control character U+001B: remove it');
    expect(plan.stderr).toContain('groups/escape.yaml:4:15: the platform of phone contains the control character U+001B: remove it');
    await repo!.write({ 'groups/escape.yaml': 'name: "Escape\\e[2J"\nmembers: []\n' });
    const invalid = await cli(['validate']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).not.toContain('\u001b');
    expect(invalid.stderr).toContain('groups/escape.yaml:1:7: name must not contain control characters');
  });

  it('--help and --version exit 0', async () => {
    await shippedRepo();
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const v = await cli(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
    for (const args of [['--help'], ['plan', '--help'], ['validate', '--help']]) {
      const h = await cli(args);
      expect(h.code, `${args.join(' ')}: ${h.stderr}`).toBe(0);
      expect(h.stdout).toContain('Usage: groupops');
    }
    const plan = await cli(['plan', '--help']);
    for (const option of ['--groups', '--state', '--format', '--out', '--detailed-exitcode', '--watch']) expect(plan.stdout).toContain(option);
  });

  it('refuses an unknown option or format with exit 1', async () => {
    await shippedRepo();
    expect((await cli(['plan', '--format', 'yaml'])).code).toBe(1);
    expect((await cli(['plan', '--detailed-exit-code'])).code).toBe(1);
  });

  it('plans a 3,900-membership desired state in 1,500 items and 3 requests', async () => {
    const members = Array.from({ length: 1200 }, (_, i) => `  - phone: "139${String(i).padStart(8, '0')}"\n`);
    const group = (name: string, list: string[], dept = ''): string => `name: ${name}\n${dept}members:\n${list.join('')}`;
    repo = await createTempRepo({
      files: {
        'groups/a.yaml': group('A', members),
        'groups/b.yaml': group('B', members),
        'groups/c.yaml': group('C', members),
        'groups/d.yaml': group('D', members.slice(0, 300), 'category: department\ndepartment:\n  wxDeptId: "7"\n'),
      },
    });
    const r = await cli(['plan', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as JsonPlan;
    expect(doc.summary).toEqual({ add: 3900, delete: 0, requests: 3 });
    expect(doc.requests.map((q) => q.items)).toEqual([500, 500, 500]);
    expect(doc.requests.reduce((n, q) => n + q.memberships, 0)).toBe(3900);
  });
});

describe('broken input: exit 1, every problem as path:line:col, nothing touched', () => {
  /** A repo whose groups/ is the invalid fixture corpus plus files no text fixture can hold. */
  async function brokenRepo(): Promise<TempRepo> {
    repo = await createTempRepo({
      copy: { groups: join(REPO_ROOT, 'test/fixtures/groups/invalid') },
      files: {
        'groups/not-utf8.yaml': Buffer.concat([Buffer.from('name: '), Buffer.from([0xd1, 0xd0, 0xb7, 0xa2, 0xb2, 0xbf]), Buffer.from('\nmembers: []\n')]),
        'groups/zero-bytes.yaml': new Uint8Array(),
        '.groupops/config.yaml': 'output:\n  maskIdentities: true\n',
      },
      git: true,
      prefix: 'groupops-e2e-broken-',
    });
    return repo;
  }

  const problemFiles = (stderr: string): Set<string> => new Set(stderr.split('\n').flatMap((l) => (ISSUE_LINE.exec(l)?.groups ? [ISSUE_LINE.exec(l)!.groups!.file!] : [])));

  it.each([['validate'], ['plan'], ['plan', '--detailed-exitcode'], ['plan', '--format', 'json', '--out', 'plan.json'], ['plan', '--format', 'markdown']])('groupops %s', async (...args) => {
    await brokenRepo();
    const before = await repo!.fingerprint();
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const files = problemFiles(r.stderr);
    const expected = Object.keys(before).filter((f) => f.startsWith('groups/') && f.endsWith('.yaml'));
    expect([...files].sort()).toEqual(expected.sort());
    expect(r.stderr).toContain('groups/not-utf8.yaml:1:7: the file is not valid UTF-8');
    // The config writes maskIdentities: true, which masks every format, problems included.
    expect(r.stderr).toContain('groups/identity-number.yaml:4:12: identity value 188****8888 is a YAML number');
    expect(r.stderr).not.toContain('identity value 18888888888');
    expect(r.stderr).toContain('groups/billion-laughs.yaml:3:8: aliases expand too far');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^error: the group files are invalid \(\d+ problems in \d+ files\); nothing was changed$/);
    expect(await repo!.fingerprint()).toEqual(before);
  });

  it('validate --format json lists the issues on stdout and exits 1', async () => {
    await brokenRepo();
    const r = await cli(['validate', '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { valid: boolean; issues: { file: string; line: number; column: number; message: string }[] };
    expect(doc.valid).toBe(false);
    expect(doc.issues).toContainEqual({ file: 'groups/duplicate-member.yaml', line: 6, column: 5, message: expect.stringContaining('already listed on line 4') });
  });

  it('a corrupt snapshot: exit 1 naming it, never planned as empty', async () => {
    await shippedRepo({ [STATE]: '{\n  "schemaVersion": 1,\n  "lastApply": null,\n  "groups": [\n' });
    const before = await repo!.fingerprint();
    for (const args of [['plan'], ['plan', '--detailed-exitcode'], ['plan', '--format', 'json']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      // A script reading --format json gets a document saying why there is no plan.
      if (args.includes('json'))
        expect(JSON.parse(r.stdout)).toMatchObject({ formatVersion: '1.1', error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^the snapshot cannot be read:/) } });
      else expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^\.groupops\/snapshot\.json:5:1: the snapshot is not valid JSON/m);
      expect(r.stderr).toContain('the snapshot cannot be read');
    }
    expect(await repo!.fingerprint()).toEqual(before);
  });

  it('a snapshot that does not match its schema: exit 1', async () => {
    await shippedRepo({ [STATE]: '{"schemaVersion":1,"lastApply":null,"groups":[{"group":{"name":"g","category":"enterprise"},"members":[{"identities":[]}]}]}\n' });
    const r = await cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('.groupops/snapshot.json:1:1: the snapshot does not match its schema: /groups/0/members/0/identities must NOT have fewer than 1 items');
  });

  it('an invalid config: exit 1 at its line', async () => {
    await shippedRepo({ '.groupops/config.yaml': 'output:\n  maskIdentity: true\n' });
    const before = await repo!.fingerprint();
    for (const command of ['validate', 'plan']) {
      const r = await cli([command]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('.groupops/config.yaml:2:3: unknown field "maskIdentity" (did you mean "maskIdentities"?)');
    }
    expect(await repo!.fingerprint()).toEqual(before);
  });

  it('a missing --config file: exit 1', async () => {
    await shippedRepo();
    const r = await cli(['validate', '--config', 'nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.yaml:1:1: the config file does not exist');
  });

  it('a missing groups folder: validate exits 1', async () => {
    await shippedRepo();
    const r = await cli(['validate', '--groups', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nowhere:1:1: the groups folder "nowhere" does not exist');
    const json = await cli(['validate', '--groups', 'nowhere', '--format', 'json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { valid: boolean }).valid).toBe(false);
  });
});
