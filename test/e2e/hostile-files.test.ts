import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTempRepo, type Files, type TempRepo } from '../helpers/temp-repo.js';

// What a pull request can plant in the repository the plan job reads: symlinks out of it, named
// pipes, devices, huge files. The built CLI runs each case; a hang would be killed at the timeout
// and fail the test. Each must end quickly with `path:line:col: message`, exit 1, and nothing read.

let repo: TempRepo | undefined;
let outside: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  await outside?.cleanup();
  repo = outside = undefined;
});

const VALID = 'name: G\nmembers:\n  - phone: "13800000001"\n';

async function setUp(files: Files): Promise<TempRepo> {
  repo = await createTempRepo({ files });
  return repo;
}

async function validate(r: TempRepo, args: string[] = []) {
  const started = Date.now();
  const result = await runCli(['validate', ...args], { cwd: r.dir, timeoutMs: 30_000 });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

describe('group files and member lists that are not what they seem', () => {
  it('refuses a symlink to /dev/zero before reading it', async () => {
    const r = await setUp({ 'groups/ok.yaml': VALID });
    symlinkSync('/dev/zero', r.path('groups/zero.yaml'));
    const result = await validate(r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/zero.yaml:1:1: this is a symlink that leads outside the repository (to /dev/zero)');
    expect(result.seconds).toBeLessThan(20);
  });

  it('reports a bare FIFO named *.yaml, a FIFO behind a .yaml symlink and a FIFO listed in memberFiles, without opening them', async () => {
    const r = await setUp({ 'groups/list.yaml': 'name: L\nmemberFiles: [pipe.csv]\n' });
    mkdirSync(r.path('pipes'));
    for (const fifo of ['groups/bare.yaml', 'pipes/behind', 'groups/pipe.csv']) execFileSync('mkfifo', [r.path(fifo)]);
    symlinkSync('../pipes/behind', r.path('groups/linked.yaml'));
    const result = await validate(r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/bare.yaml:1:1: this is a named pipe (FIFO), not a regular file: remove it');
    expect(result.stderr).toContain('groups/linked.yaml:1:1: this is a named pipe (FIFO), not a regular file: remove it');
    expect(result.stderr).toContain('groups/list.yaml:2:15: member file "pipe.csv" is a named pipe (FIFO), not a regular file: remove it');
  });

  it('refuses a group file and a member list that are symlinks out of the repository (real paths, not text)', async () => {
    outside = await createTempRepo({ files: { 'g.yaml': 'name: Outside\nmembers:\n  - phone: "13800000009"\n', 'x.csv': 'phone\n13800000008\n' } });
    const r = await setUp({ 'groups/list.yaml': 'name: L\nmemberFiles: [x.csv]\n' });
    symlinkSync(outside.path('g.yaml'), r.path('groups/outside.yaml'));
    symlinkSync(outside.path('x.csv'), r.path('groups/x.csv'));
    const result = await validate(r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/outside.yaml:1:1: this is a symlink that leads outside the repository');
    expect(result.stderr).toContain('groups/list.yaml:2:15: member file "x.csv" is a symlink that leads outside the repository');
    expect(result.stdout).not.toContain('13800000009');
  });

  it('reads a symlink that stays inside the repository', async () => {
    const r = await setUp({ 'shared/g.yaml': VALID, 'shared/x.csv': 'phone\n13800000002\n', 'groups/list.yaml': 'name: L\nmemberFiles: [x.csv]\n' });
    symlinkSync('../shared/g.yaml', r.path('groups/alias.yaml'));
    symlinkSync('../shared/x.csv', r.path('groups/x.csv'));
    const result = await validate(r);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('2 group files valid: 2 groups, 2 memberships.\n');
  });

  it('refuses a file above the size limit before reading it', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `138${String(i).padStart(8, '0')}`).join('\n');
    const r = await setUp({ '.groupops/config.yaml': 'limits:\n  maxFileBytes: 1024\n', 'groups/big.yaml': 'name: B\nmemberFiles: [big.csv]\n', 'groups/big.csv': `phone\n${rows}\n` });
    const result = await validate(r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/big.yaml:2:15: member file "big.csv" is 2406 bytes, more than the limit of 1024 bytes: split it, or raise limits.maxFileBytes in the config');
  });

  it('reports a symlink loop, a symlink to a folder, and a groups folder that leads out of the repository', async () => {
    const r = await setUp({ 'groups/ok.yaml': VALID, 'elsewhere/g.yaml': VALID });
    symlinkSync('loop.yaml', r.path('groups/loop.yaml'));
    symlinkSync('../elsewhere', r.path('groups/more'));
    const result = await validate(r);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('groups/loop.yaml:1:1: this is a symlink that loops back on itself: remove it');
    expect(result.stderr).toContain('groups/more:1:1: this is a symlink to a folder, which groupops does not follow');

    outside = await createTempRepo({ files: { 'g.yaml': VALID } });
    const s = await createTempRepo({ files: { 'README.md': 'x' } });
    try {
      symlinkSync(outside.dir, s.path('groups'));
      const moved = await validate(s);
      expect(moved.code).toBe(1);
      expect(moved.stderr).toContain('groups:1:1: the groups folder is a symlink that leads outside the repository');
    } finally {
      await s.cleanup();
    }
  });

  it('refuses a config that is a symlink to /dev/zero or a FIFO', async () => {
    const r = await setUp({ 'groups/ok.yaml': VALID });
    mkdirSync(r.path('.groupops'));
    symlinkSync('/dev/zero', r.path('.groupops/config.yaml'));
    const zero = await validate(r);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('.groupops/config.yaml:1:1: the config file is a symlink that leads outside the repository (to /dev/zero)');
    execFileSync('mkfifo', [r.path('conf.yaml')]);
    const fifo = await validate(r, ['--config', 'conf.yaml']);
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toContain('conf.yaml:1:1: the config file is a named pipe (FIFO), not a regular file');
  });

  it('refuses a snapshot or an apply journal that is a FIFO or a symlink to /dev/zero, without reading it', async () => {
    const r = await setUp({ 'groups/ok.yaml': VALID });
    mkdirSync(r.path('.groupops'));
    symlinkSync('/dev/zero', r.path('.groupops/snapshot.json'));
    const plan = await runCli(['plan'], { cwd: r.dir, timeoutMs: 30_000 });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('.groupops/snapshot.json:1:1: this is a device, not a regular file: remove it');
    await r.write({ '.groupops/snapshot.json': null });
    execFileSync('mkfifo', [r.path('.groupops/snapshot.json.journal')]);
    const journal = await runCli(['plan'], { cwd: r.dir, timeoutMs: 30_000 });
    expect(journal.code).toBe(1);
    expect(journal.stderr).toContain('.groupops/snapshot.json.journal:1:1: this is a named pipe (FIFO), not a regular file: remove it');
  });
});
