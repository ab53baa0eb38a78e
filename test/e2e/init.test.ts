import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runGroupops } from '../helpers/apply-env.js';
import { REPO_ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SCAFFOLD = [
  '.github/workflows/groups-apply.yml',
  '.github/workflows/groups-plan.yml',
  '.gitignore',
  '.groupops/config.yaml',
  'groups/example.yaml',
  'schemas/config.schema.json',
  'schemas/group.schema.json',
];

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'groupops-init-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` (but .git), relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !path.includes(`${join(dir, '.git')}/`)) out.push(path.slice(dir.length + 1));
  }
  return out.sort();
}
const read = (path: string) => readFile(join(root, path), 'utf8');

describe('groupops init', () => {
  it('scaffolds a repository that validates and plans, with workflows using the Action at this version', async () => {
    execFileSync('git', ['init', '--quiet', '--initial-branch=trunk'], { cwd: root });
    const res = await runGroupops(['init'], { cwd: root });
    expect(res.code, res.stderr).toBe(0);
    expect(await tree(root)).toEqual(SCAFFOLD);
    for (const path of SCAFFOLD.filter((p) => p !== '.gitignore')) expect(res.stdout).toContain(`created  ${path}`);
    expect(res.stdout).toContain(`groupops ${VERSION}: scaffolded this repository`);
    expect(res.stdout).toContain('RABBITPRE_TOKEN');

    // The workflows run the Action of groupops's repository at this version's tag, on the branch checked out.
    const apply = parse(await read('.github/workflows/groups-apply.yml')) as { on: { push: { branches: string[] } }; jobs: { apply: { steps: { uses?: string }[] } } };
    expect(apply.on.push.branches).toEqual(['trunk']);
    expect(apply.jobs.apply.steps.map((s) => s.uses)).toContain(`groupops/groupops@v${VERSION}`);

    const validate = await runGroupops(['validate'], { cwd: root });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toBe('1 group file valid: 1 group, 0 memberships.\n');
    const plan = await runGroupops(['plan', '--detailed-exitcode'], { cwd: root, env: { NO_COLOR: '1' } });
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('writes modelines that resolve to the copied, version-stamped schemas of this groupops', async () => {
    expect((await runGroupops(['init'], { cwd: root })).code).toBe(0);
    for (const [file, schema] of [
      ['groups/example.yaml', 'group.schema.json'],
      ['.groupops/config.yaml', 'config.schema.json'],
    ] as const) {
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(await read(file))?.[1];
      expect(modeline, file).toBeDefined();
      const target = resolve(dirname(join(root, file)), modeline!);
      expect(target).toBe(join(root, 'schemas', schema));
      const copied = JSON.parse(await readFile(target, 'utf8')) as Record<string, unknown>;
      const shipped = JSON.parse(await readFile(join(REPO_ROOT, 'schemas', schema), 'utf8')) as Record<string, unknown>;
      expect(copied.$comment).toContain(`groupops ${VERSION}`);
      expect({ ...copied, $comment: undefined }).toEqual({ ...shipped, $comment: undefined });
    }
    // The shipped example groups name the schema the same way (one ../ per folder level), so a copy of one works here.
    const shipped = await readFile(join(REPO_ROOT, 'groups/enterprise/vip-customers.yaml'), 'utf8');
    await mkdir(join(root, 'groups/enterprise'), { recursive: true });
    await writeFile(join(root, 'groups/enterprise/vip-customers.yaml'), shipped);
    const modeline = /\$schema=(\S+)/.exec(shipped)![1]!;
    expect(existsSync(resolve(join(root, 'groups/enterprise'), modeline))).toBe(true);
    expect((await runGroupops(['validate'], { cwd: root })).code).toBe(0);
  });

  it('the members the example shows in its comments are valid once uncommented', async () => {
    expect((await runGroupops(['init'], { cwd: root })).code).toBe(0);
    const example = await read('groups/example.yaml');
    const commented = example.slice(example.indexOf('# members:'));
    const uncommented = commented.replace(/^# ?/gm, '');
    await writeFile(join(root, 'groups/example.yaml'), example.replace(/^members: \[\]\n/m, '').replace(commented, uncommented));
    const res = await runGroupops(['validate'], { cwd: root });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('1 group, 3 memberships');
  });

  it('is idempotent: a second run leaves every file as it is and says so', async () => {
    expect((await runGroupops(['init', 'acme-groups'], { cwd: root })).code).toBe(0);
    const repo = join(root, 'acme-groups');
    await writeFile(join(repo, '.groupops/config.yaml'), 'groups: teams\n');
    await mkdir(join(repo, 'teams'));
    const before = await Promise.all(SCAFFOLD.map((p) => readFile(join(repo, p), 'utf8')));
    const again = await runGroupops(['init', 'acme-groups'], { cwd: root });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('scaffolded acme-groups');
    for (const path of SCAFFOLD.filter((p) => p !== '.gitignore')) expect(again.stdout).toContain(`left     ${path} (it exists; --force replaces it)`);
    expect(again.stdout).toContain('left     .gitignore (it has the groupops lines)');
    expect(again.stdout).not.toContain('created');
    expect(await Promise.all(SCAFFOLD.map((p) => readFile(join(repo, p), 'utf8')))).toEqual(before);
  });

  it('--force replaces the files it writes; .gitignore keeps its own lines and gets only what it lacks', async () => {
    await writeFile(join(root, '.gitignore'), 'node_modules/\n.groupops/*.lock');
    await mkdir(join(root, 'groups'));
    await writeFile(join(root, 'groups/example.yaml'), 'mine\n');
    await writeFile(join(root, 'groups/other.yaml'), 'name: Other\nmembers: []\n');
    const first = await runGroupops(['init'], { cwd: root });
    expect(first.stdout).toContain('left     groups/example.yaml');
    expect(first.stdout).toContain('updated  .gitignore (.groupops/*.journal, .groupops/*.tmp)');
    expect(await read('.gitignore')).toBe(
      'node_modules/\n.groupops/*.lock\n\n# groupops: the lock, journal and temporary files of an apply (only the snapshot is committed)\n.groupops/*.journal\n.groupops/*.tmp\n',
    );
    const forced = await runGroupops(['init', '--force'], { cwd: root });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('replaced groups/example.yaml');
    expect(await read('groups/example.yaml')).toContain('name: Example group');
    expect(await read('groups/other.yaml')).toBe('name: Other\nmembers: []\n');
    expect(await read('.gitignore')).toContain('node_modules/\n');
    expect(forced.stdout).toContain('left     .gitignore (it has the groupops lines)');
  });

  it('refuses, writing nothing, when a path it needs is taken by a folder or blocked by a file', async () => {
    await mkdir(join(root, '.groupops/config.yaml'), { recursive: true });
    await writeFile(join(root, 'schemas'), 'a file where the schemas folder goes\n');
    const res = await runGroupops(['init'], { cwd: root });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('.groupops/config.yaml exists and is not a file');
    expect(res.stderr).toContain('schemas/group.schema.json cannot be created: a file stands where one of its folders must be');
    expect(res.stderr).toContain('nothing was written');
    expect(await tree(root)).toEqual(['schemas']);
  });

  it('refuses a bad --action or --branch before writing anything, and takes good ones', async () => {
    const bad = await runGroupops(['init', '--action', 'groupops'], { cwd: root });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--action "groupops" is not an action reference: use owner/name@ref');
    const badBranch = await runGroupops(['init', '--branch', 'main branch'], { cwd: root });
    expect(badBranch.code).toBe(1);
    expect(badBranch.stderr).toContain('--branch "main branch" is not a branch name');
    expect(await tree(root)).toEqual([]);
    const good = await runGroupops(['init', '--action', 'acme/groupops@0123456789abcdef0123456789abcdef01234567', '--branch', 'release/prod'], { cwd: root });
    expect(good.code, good.stderr).toBe(0);
    expect(await read('.github/workflows/groups-plan.yml')).toContain('uses: acme/groupops@0123456789abcdef0123456789abcdef01234567\n');
    expect(await read('.github/workflows/groups-apply.yml')).toContain('branches: [release/prod]\n');
  });
});
