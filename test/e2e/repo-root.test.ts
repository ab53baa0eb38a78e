import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromCwd } from '../../src/app/repo-root.js';
import { REPO_ROOT, runMain } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

// Like git, groupops run from a folder below the repository root works on the whole repository:
// `cd groups && groupops plan` used to warn that the plan deletes everything, then print "No changes".

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const shipped = async (options: { git: boolean; files?: Record<string, string> }): Promise<TempRepo> =>
  (repo = await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, git: options.git, ...(options.files ? { files: options.files } : {}) }));

describe('the repository root, found from a subfolder', () => {
  it('plans the whole repository from groups/ and from deeper, as from the root', async () => {
    const r = await shipped({ git: true });
    const atRoot = await runMain(['plan', '--format', 'json'], { cwd: r.dir });
    expect(atRoot.code, atRoot.stderr).toBe(0);
    for (const sub of ['groups', 'groups/enterprise']) {
      const below = await runMain(['plan', '--format', 'json'], { cwd: r.path(sub) });
      expect(below.code, below.stderr).toBe(0);
      expect(below.stderr).toBe('');
      expect(below.stdout).toBe(atRoot.stdout);
    }
    const text = await runMain(['plan'], { cwd: r.path('groups') });
    expect(text.stdout).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');
    expect(text.stderr).not.toContain('deletes every applied membership');
  });

  it('finds the root by .groupops/ without git, and by groups/ before the first apply', async () => {
    const r = await shipped({ git: false, files: { '.groupops/config.yaml': 'groups: groups\n', 'groups/enterprise/notes/readme.txt': 'not a group file\n' } });
    const deep = await runMain(['validate'], { cwd: r.path('groups/enterprise/notes') });
    expect(deep.code, deep.stderr).toBe(0);
    expect(deep.stdout).toContain('valid: 6 groups');
    await r.write({ '.groupops': null });
    const noConfig = await runMain(['validate'], { cwd: r.path('groups/enterprise') });
    expect(noConfig.code, noConfig.stderr).toBe(0);
  });

  it('reports problems with paths from the root', async () => {
    const r = await shipped({ git: true, files: { 'groups/bad.yaml': 'name: Bad\nmembers:\n  - phone: 13800000000\n' } });
    const result = await runMain(['validate'], { cwd: r.path('groups') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^groups\/bad\.yaml:3:\d+: /m);
  });

  it('takes paths given on the command line from the current folder', async () => {
    const r = await shipped({ git: true });
    const result = await runMain(['validate', '--groups', 'enterprise'], { cwd: r.path('groups') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 group files valid');
    const out = await runMain(['plan', '--out', 'plan.txt'], { cwd: r.path('groups') });
    expect(out.code, out.stderr).toBe(0);
    expect(await r.exists('groups/plan.txt')).toBe(true);
  });

  it('runs explain from a subfolder', async () => {
    const r = await shipped({ git: true });
    const result = await runMain(['explain', '13900000000'], { cwd: r.path('groups/enterprise') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('written at groups/enterprise/vip-customers.yaml:12');
  });

  it('refuses clearly outside any repository, and when neither the groups folder nor a snapshot exists', async () => {
    repo = await createTempRepo({ files: { 'notes/readme.txt': 'hello\n' } });
    const before = await repo.fingerprint();
    for (const command of [['plan'], ['validate'], ['explain', '13900000000'], ['apply', '--auto-approve']]) {
      const result = await runMain(command, { cwd: repo.path('notes'), env: { RABBITPRE_TOKEN: 'tok' } });
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toContain(`error: not in a groupops repository: neither ${repo.path('notes')} nor a folder above it holds .groupops/, .git or groups/.`);
    }
    expect(await repo.fingerprint()).toEqual(before);
    // A git repository without group files or a snapshot: no "No changes" after a warning.
    await repo.write({ '.git/HEAD': 'ref: refs/heads/main\n' });
    const plan = await runMain(['plan'], { cwd: repo.dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).toContain(`groups:1:1: the groups folder "groups" does not exist in ${repo.dir}, and there is no snapshot (.groupops/snapshot.json): run groupops in the repository root`);
    expect(plan.stderr).toContain('error: there is nothing to plan');
  });
});

describe('adopt --from in a folder that is no repository yet', () => {
  it('writes the group files and the snapshot there (it creates the repository), while adopt without --from refuses', async () => {
    repo = await createTempRepo({ files: { 'export.csv': 'group,phone\nVIP,18800000001\n' } });
    const refused = await runMain(['adopt'], { cwd: repo.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: not in a groupops repository');
    const adopted = await runMain(['adopt', '--from', 'export.csv'], { cwd: repo.dir });
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(await repo.exists('groups')).toBe(true);
    expect(await repo.exists('.groupops/snapshot.json')).toBe(true);
    // From now on it is a repository: found from below too.
    const plan = await runMain(['plan', '--detailed-exitcode'], { cwd: repo.path('groups') });
    expect(plan.code, plan.stderr).toBe(0);
  });
});

describe('fromCwd', () => {
  it('maps a path given below the root to one from the root, and leaves the rest', () => {
    expect(fromCwd('/r', '/r/groups', 'enterprise')).toBe('groups/enterprise');
    expect(fromCwd('/r', '/r/groups', '.')).toBe('groups');
    expect(fromCwd('/r', '/r/groups', '..')).toBe('.');
    expect(fromCwd('/r', '/r/groups', '../../elsewhere')).toBe('/elsewhere');
    expect(fromCwd('/r', '/r', 'groups')).toBe('groups');
    expect(fromCwd('/r', '/r/groups', '/abs/path')).toBe('/abs/path');
  });
});
