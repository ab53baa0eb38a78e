import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { adoptEditApply, refuseOtherTargets, type FlowRepo } from '../helpers/adopt-flow.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * groupops as a user gets it: the tarball `npm pack` makes, installed into a fresh git repository,
 * run with `npx groupops`. No network: the tarball's dependencies come from the npm cache that
 * `npm ci` filled (the user's repository gets a lock file naming groupops's locked versions, as
 * `npm install -D groupops` would write, and `npm ci --offline` installs it). Each step is one `it`
 * on the same repository, in order, as issue 12 tells it: init, adopt from a platform export, plan (no
 * changes), an edited group planned and applied to the sandbox, and the same snapshot refused (exit 3)
 * for another tenant and another target (the steps of test/helpers/adopt-flow.ts, which the in-repo
 * test drives with the built CLI).
 */

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      // Only what a user's shell has; npm is told to stay offline, so nothing reaches the registry.
      { cwd, timeout: timeoutMs, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', npm_config_offline: 'true', npm_config_update_notifier: 'false', ...env } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  repository?: { url?: string };
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};

let scratch: string;
let tarball: string;
let files: string[];
let repo: string;
let sandbox: Sandbox;
let other: Sandbox;
/** `npx groupops …` in the user's repository. */
const groupops = (args: readonly string[], env: Record<string, string> = {}) => run('npx', ['groupops', ...args], repo, { NO_COLOR: '1', ...env });

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'groupops-package-'));
  // npm test has built dist/; --ignore-scripts keeps npm from building it again under the other tests' feet.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], REPO_ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(scratch, info.filename);
  files = info.files.map((f) => f.path).sort();
  sandbox = await startSandbox();
  other = await startSandbox();
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await other?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the CLI, its schemas, the demo groups, the docs, README and LICENSE; no sources, tests, benchmarks or source maps', () => {
    for (const path of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/groupops.js',
      'dist/src/cli/main.js',
      'dist/src/load/fast/yaml-subset.js',
      'schemas/group.schema.json',
      'schemas/config.schema.json',
      'groups/enterprise/vip-customers.yaml',
      'docs/github.md',
    ]) {
      expect(files).toContain(path);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|dist\/bench|dist\/test|node_modules)\//.test(f))).toEqual([]);
  });

  it('says where it comes from: a license that matches LICENSE, and its repository', async () => {
    expect(manifest.license).toBe('MIT');
    expect(await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
  });
});

describe('installed from the tarball into a fresh repository', () => {
  beforeAll(async () => {
    repo = join(scratch, 'acme-groups');
    await mkdir(repo);
    expect((await run('git', ['init', '--quiet', '--initial-branch=main'], repo)).code).toBe(0);
    await writeConsumerLock(repo, tarball);
  }, 60_000);

  it('npm ci installs it without running or warning about any install script', async () => {
    const install = await run('npm', ['ci', '--no-audit', '--no-fund'], repo);
    expect(install.code, install.stderr).toBe(0);
    const out = install.stdout + install.stderr;
    expect(out).not.toMatch(/script/i);
    // The only warning allowed: a dependency of octokit that declares Node >= 22 (it runs on 20: the suite passes there).
    const warnings = out.split('\n').filter((l) => l.startsWith('npm warn') && !l.includes('EBADENGINE'));
    expect(warnings).toEqual([]);
  }, 180_000);

  it('npx groupops --version prints the packed version', async () => {
    const res = await groupops(['--version']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(manifest.version);
  });

  it('npx groupops init scaffolds the repository, and validate and plan run in it', async () => {
    const init = await groupops(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created  .github/workflows/groups-apply.yml');
    expect(init.stdout).toContain(`The workflows run the Action ${repositoryOf(manifest.repository?.url)}@v${manifest.version}`);
    const validate = await groupops(['validate']);
    expect(validate.code, validate.stderr).toBe(0);
    const plan = await groupops(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('adopts a platform export in place of the example init wrote, plans no changes, applies only an edit to the sandbox', async () => {
    await adoptEditApply(groupops, consumerRepo(), sandbox);
  }, 120_000);

  it('refuses (exit 3) the same snapshot pointed at another tenant or another target', async () => {
    await refuseOtherTargets(groupops, consumerRepo(), sandbox, other);
  }, 120_000);

  it('npx groupops demo runs on the example groups the package brings', async () => {
    const demo = await groupops(['demo']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');
    expect(demo.stdout).toContain('Nothing to do: the platform matches the group files; 0 requests sent.');
  }, 60_000);
});

/** The user's repository as the adoption steps see it: files written and read, commits made with git. */
function consumerRepo(): FlowRepo {
  return {
    write: async (files) => {
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(repo, rel)), { recursive: true });
        await writeFile(join(repo, rel), text);
      }
    },
    read: (rel) => readFile(join(repo, rel), 'utf8'),
    commit: (message) => {
      for (const args of [
        ['add', '-A'],
        ['-c', 'user.name=acme', '-c', 'user.email=acme@example.invalid', 'commit', '--quiet', '-m', message],
      ]) {
        const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      }
    },
  };
}

function repositoryOf(url: string | undefined): string {
  return /github\.com\/([^/]+\/[^/.]+)/.exec(url ?? '')?.[1] ?? '';
}

/**
 * The package.json and package-lock.json of a repository that ran `npm install -D groupops`: groupops
 * from the tarball, its dependencies at the versions groupops's own lock pins (hoisted to the
 * top, where npm puts them for a repository that has no other dependency).
 */
async function writeConsumerLock(dir: string, tgz: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const spec = `file:${tgz}`;
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tgz))
    .digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'acme-groups', devDependencies: { groupops: spec } },
    'node_modules/groupops': {
      version: manifest.version,
      resolved: spec,
      integrity,
      dev: true,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional: _, ...rest } = entry;
    packages[path] = { ...rest, dev: true };
  }
  await mkdir(dirname(join(dir, 'package.json')), { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'acme-groups', private: true, devDependencies: { groupops: spec } }, null, 2)}\n`);
  await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'acme-groups', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}
