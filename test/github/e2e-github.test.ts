import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_MARKER, PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { actionsEnv, git, gitCommitAll, gitInit, groupYaml, mergeFeature, mirrorCommit, pullRequestEvent, pushEvent, tempRepo } from './gh-env.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/groupops.js');
const SNAP = '.groupops/snapshot.json';

/** Runs the built CLI as a workflow step would: a subprocess with only the variables GitHub sets. */
function step(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * The whole GitHub flow with the built CLI, a fake GitHub and the Rabbitpre sandbox: a PR is opened
 * (plan comment), pushed again (the same comment, updated), merged, and applied (tenant changed,
 * snapshot committed with the batch IDs, result on the PR). Each step's effect is checked.
 */
describe('GitHub flow end to end: PR opened -> new push -> merge -> apply', () => {
  let gh: FakeGitHub;
  let sb: Sandbox;
  let repo: Awaited<ReturnType<typeof tempRepo>>;
  let scratch: Awaited<ReturnType<typeof tempRepo>>;
  let base: string;
  const PR = 21;

  beforeAll(async () => {
    if (!existsSync(join(dirname(BIN), '../dist/src/cli/main.js'))) throw new Error('build first: npm run build (npm test does)');
    gh = await startFakeGitHub();
    sb = await startSandbox();
    scratch = await tempRepo({});
    repo = await tempRepo({
      'README.md': 'our groups\n',
      // The tenant is named in the config, where the PR's plan job (which has no secrets) sees it too.
      '.groupops/config.yaml': `api:\n  baseUrl: ${sb.url}\n`,
      'groups/vip.yaml': groupYaml('VIP', ['18888888888', '13900000001']),
      'groups/beta.yaml': groupYaml('Beta', ['13600000001']),
    });
    // main starts applied: its snapshot matches the tenant.
    const applied = await step(['apply', '--auto-approve'], repo.dir, { RABBITPRE_TOKEN: sb.token, RABBITPRE_BASE_URL: sb.url, NO_COLOR: '1' });
    expect(applied.code, applied.stderr).toBe(0);
    base = gitInit(repo.dir);
    mirrorCommit(gh, repo.dir, base);
    gh.setRef('main', base);
  });
  afterAll(async () => {
    await gh?.close();
    await sb?.close();
    await repo?.cleanup();
    await scratch?.cleanup();
  });

  const stepFiles = async (name: string, event: unknown): Promise<{ event: string; summary: string }> => {
    const files = { event: join(scratch.dir, `${name}.json`), summary: join(scratch.dir, `${name}.summary.md`) };
    await writeFile(files.event, JSON.stringify(event));
    await writeFile(files.summary, '');
    return files;
  };
  const planStep = async (name: string, headSha: string) => {
    const f = await stepFiles(name, pullRequestEvent(gh, { number: PR, headSha }));
    const env = actionsEnv(gh, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: f.event, GITHUB_STEP_SUMMARY: f.summary, GITHUB_WORKSPACE: repo.dir, GITHUB_SHA: headSha });
    return { ...(await step(['github', 'plan'], repo.dir, env)), summary: () => readFile(f.summary, 'utf8') };
  };
  const checksum = async (): Promise<string> => JSON.parse((await step(['plan', '--format', 'json'], repo.dir, {})).stdout).checksum as string;
  const planComments = () => gh.comments(PR).filter((c) => c.body.startsWith(PLAN_MARKER));

  let head1 = '';
  let head2 = '';
  let firstChecksum = '';
  let merge = '';

  it('PR opened: the plan comment is created with the plan checksum; the job summary has the plan', async () => {
    git(repo.dir, 'checkout', '--quiet', '-b', 'feature');
    await repo.write('groups/vip.yaml', groupYaml('VIP', ['18888888888', '13900000001', '13900000002']));
    await repo.write('groups/new-team.yaml', groupYaml('New team', ['13500000001', '13500000002']));
    head1 = gitCommitAll(repo.dir, 'add the new team');
    mirrorCommit(gh, repo.dir, head1);
    const res = await planStep('pr-opened', head1);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('::error');
    firstChecksum = await checksum();
    expect(gh.comments(PR)).toHaveLength(1);
    const body = planComments()[0]!.body;
    expect(body).toContain(`Plan checksum: \`${firstChecksum}\``);
    expect(body).toContain(`Planned for ${head1.slice(0, 7)}`);
    expect(body).toContain('**Plan: 3 to add, 0 to delete, in 1 request.**');
    expect(body).toContain('135****0001');
    expect(body).not.toContain('13500000001');
    expect(await res.summary()).toContain(`Plan checksum: \`${firstChecksum}\``);
    expect(sb.requests().filter((r) => r.verdict === 'accepted')).toHaveLength(1); // only the initial apply: a plan sends nothing
  });

  it('new push: the same comment is updated in place with the new checksum; still one comment', async () => {
    await repo.write('groups/beta.yaml', groupYaml('Beta', []));
    head2 = gitCommitAll(repo.dir, 'close the beta');
    mirrorCommit(gh, repo.dir, head2);
    const res = await planStep('pr-pushed', head2);
    expect(res.code, res.stderr).toBe(0);
    const now = await checksum();
    expect(now).not.toBe(firstChecksum);
    expect(gh.comments(PR)).toHaveLength(1);
    const comment = planComments()[0]!;
    expect(comment.updates).toBe(1);
    expect(comment.body).toContain(`Plan checksum: \`${now}\``);
    expect(comment.body).not.toContain(firstChecksum);
    expect(comment.body).toContain(`Planned for ${head2.slice(0, 7)}`);
    expect(comment.body).toContain('**Plan: 3 to add, 1 to delete, in 2 requests.**');
  });

  it('merge: the PR is merged into main', async () => {
    merge = mergeFeature(gh, repo.dir, PR, [head1, head2]);
    expect(gh.ref('main')).toBe(merge);
  });

  it('apply on the push to main: the tenant changes, the snapshot is committed with the batch IDs, the result is on the PR', async () => {
    const f = await stepFiles('apply', pushEvent(gh, [merge]));
    const env = actionsEnv(gh, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: f.event,
      GITHUB_STEP_SUMMARY: f.summary,
      GITHUB_WORKSPACE: repo.dir,
      GITHUB_SHA: merge,
      GITHUB_REF_NAME: 'main',
      RABBITPRE_TOKEN: sb.token,
      RABBITPRE_BASE_URL: sb.url,
    });
    const res = await step(['github', 'apply', '--auto-approve'], repo.dir, env);
    expect(res.code, res.stdout + res.stderr).toBe(0);

    // The tenant holds exactly the merged group files.
    const held = sb
      .memberships()
      .map((m) => `${m.group.name}:${m.person.identities[0]!.value}`)
      .sort();
    expect(held).toEqual(['New team:13500000001', 'New team:13500000002', 'VIP:13900000001', 'VIP:13900000002', 'VIP:18888888888']);

    // The snapshot commit sits on the merge commit, lists this apply's batch IDs exactly, and changes only the snapshot.
    const ids = sb
      .requests()
      .filter((r) => r.verdict === 'accepted')
      .map((r) => r.batchId!)
      .slice(1);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(BigInt(id)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const snapshotCommit = gh.commit(gh.ref('main')!)!;
    expect(snapshotCommit.parents).toEqual([merge]);
    expect(snapshotCommit.message).toContain(`- delete 1 item: ${ids[0]}`);
    expect(snapshotCommit.message).toContain(`- add 3 items: ${ids[1]}`);
    expect(snapshotCommit.message).not.toContain('[skip ci]');
    const local = await readFile(join(repo.dir, SNAP), 'utf8');
    expect(gh.fileAt(snapshotCommit.sha, SNAP)).toBe(local);
    for (const path of ['groups/vip.yaml', 'groups/beta.yaml', 'groups/new-team.yaml', 'README.md']) {
      expect(gh.fileAt(snapshotCommit.sha, path)).toBe(gh.fileAt(merge, path));
    }

    // The result is commented on the merged PR, next to the one plan comment.
    expect(gh.comments(PR)).toHaveLength(2);
    expect(planComments()).toHaveLength(1);
    const result = gh.comments(PR).find((c) => c.body.startsWith(APPLY_MARKER))!;
    expect(result.body).toContain('### groupops apply: ✅ applied');
    for (const id of ids) expect(result.body).toContain(`\`${id}\``);
    expect(result.body).toContain(`Snapshot committed as \`${snapshotCommit.sha.slice(0, 7)}\``);
    expect(await readFile(f.summary, 'utf8')).toContain('### groupops apply: ✅ applied');
    expect(res.stdout + res.stderr).not.toContain(sb.token);
    expect(res.stdout + res.stderr).not.toContain(gh.token);
  });

  it('after the apply, the committed snapshot matches the tenant: a plan of main is empty', async () => {
    await writeFile(join(repo.dir, SNAP), gh.fileAt(gh.ref('main')!, SNAP)!);
    const res = await step(['plan', '--detailed-exitcode'], repo.dir, { NO_COLOR: '1' });
    expect(res.code, res.stdout).toBe(0);
  });
});
