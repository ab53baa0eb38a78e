import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLY_MARKER } from '../../src/github/sticky-comment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { gitCommitAll, gitInit, groupYaml, landOnMain, pushApplyEnv, tempRepo } from './gh-env.js';
import { phones } from '../helpers/apply-env.js';
import { runMain } from '../helpers/cli.js';

const SNAP = '.groupops/snapshot.json';
const CONFIG = 'api:\n  retries: 0\n  concurrency: 1\n';

let gh: FakeGitHub;
let sb: Sandbox;
let repo: Awaited<ReturnType<typeof tempRepo>>;

beforeEach(async () => {
  gh = await startFakeGitHub();
  sb = await startSandbox();
  repo = await tempRepo({ '.groupops/config.yaml': CONFIG, 'groups/vip.yaml': groupYaml('VIP', phones(0, 3, '139')) });
});
afterEach(async () => {
  await gh.close();
  await sb.close();
  await repo.cleanup();
});

/** Applies the current files with plain `groupops apply`, so the repository starts with a snapshot. */
async function applyLocally(): Promise<void> {
  const res = await runMain(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: sb.token, RABBITPRE_BASE_URL: sb.url, NO_COLOR: '1' } });
  expect(res.code, res.stderr).toBe(0);
}

/** Commits the work tree as the merge of PR `pr`, mirrors it to the fake and points main at it. */
function merge(message: string, pr?: number): string {
  return landOnMain(gh, repo.dir, gitCommitAll(repo.dir, message), pr);
}

function applyEnv(sha: string, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  // Inside the repository's .git/ (outside its work tree), so that the repository's clean-up removes it.
  const eventPath = join(repo.dir, '.git', 'event.json');
  return pushApplyEnv(gh, { sha, eventPath, workspace: repo.dir, sandbox: sb }, extra);
}

const batchIdsSent = () =>
  sb
    .requests()
    .filter((r) => r.verdict === 'accepted')
    .map((r) => r.batchId!);

describe('groupops github apply', () => {
  it('applies, commits the snapshot on the merge commit with every batch ID, and comments on the merged PR', async () => {
    const sha = gitInit(repo.dir);
    landOnMain(gh, repo.dir, sha, 5);
    const env = await applyEnv(sha);
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(sb.memberships()).toHaveLength(3);

    const ids = batchIdsSent();
    expect(ids).toHaveLength(1);
    expect(BigInt(ids[0]!)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const head = gh.ref('main')!;
    expect(head).not.toBe(sha);
    const commit = gh.commit(head)!;
    expect(commit.parents).toEqual([sha]);
    expect(commit.message).toMatch(/^groupops: apply [0-9a-f]{7} \(1 request\)\n/);
    expect(commit.message).toContain(`- add 3 items: ${ids[0]}`);
    expect(commit.message).toContain(`Groupops-Applied-Commit: ${sha}`);
    expect(gh.fileAt(head, SNAP)).toBe(await readFile(join(repo.dir, SNAP), 'utf8'));
    expect(gh.fileAt(head, SNAP)).toContain(`"batchId":"${ids[0]}"`);

    const comments = gh.comments(5);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(`${APPLY_MARKER}\n### groupops apply: ✅ applied`)).toBe(true);
    expect(comments[0]!.body).toContain(`| 1 | add | 3 | \`${ids[0]}\` |`);
    expect(comments[0]!.body).toContain(`Snapshot committed as \`${head.slice(0, 7)}\``);
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('### groupops apply: ✅ applied');
    expect(res.stdout + res.stderr).not.toContain(sb.token);
    expect(res.stdout + res.stderr).not.toContain(gh.token);
    // The run log masks identity values.
    expect(res.stdout).not.toContain('13900000001');
  });

  it('commits the partial snapshot of a failed apply and fails the job with the reason', async () => {
    await applyLocally();
    gitInit(repo.dir);
    await repo.write('groups/vip.yaml', groupYaml('VIP', [...phones(0, 2, '139'), '13700000001']));
    const sha = merge('drop one, add one', 6);
    sb.setFaults({ script: ['ok', 'http500'] });
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha) });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^::error::groupops apply failed: .*HTTP 500/m);

    const ids = batchIdsSent();
    expect(ids).toHaveLength(2); // the first apply's add, then this apply's delete
    const head = gh.ref('main')!;
    const commit = gh.commit(head)!;
    expect(commit.parents).toEqual([sha]);
    expect(commit.message).toMatch(/^groupops: partial apply of [0-9a-f]{7} \(1 of 2 requests acknowledged\)\n/);
    expect(commit.message).toContain(`- delete 1 item: ${ids[1]}`);
    expect(commit.message).toMatch(/Stopped: .*HTTP 500/);
    const snapshot = JSON.parse(gh.fileAt(head, SNAP)!) as { lastApply: { complete: boolean; requests: { batchId: string }[] } };
    expect(snapshot.lastApply.complete).toBe(false);
    expect(snapshot.lastApply.requests.map((r) => r.batchId)).toEqual([ids[1]]);

    const body = gh.comments(6)[0]!.body;
    expect(body).toContain('### groupops apply: ❌ failed');
    expect(body).toContain('Acknowledged requests (1 of 2)');
    expect(body).toContain('HTTP 500');
    expect(body).toContain('**Next:** fix the cause, then re-run the workflow');
  });

  it('refuses a mass delete with exit 3: nothing sent, nothing committed, the refusal on the PR', async () => {
    await repo.write('groups/vip.yaml', groupYaml('VIP', phones(0, 30, '139')));
    await applyLocally();
    gitInit(repo.dir);
    await repo.write('groups/vip.yaml', groupYaml('VIP', []));
    const sha = merge('empty the group', 7);
    const sent = sb.requests().length;
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha) });
    expect(res.code).toBe(3);
    expect(sb.requests()).toHaveLength(sent);
    expect(gh.ref('main')).toBe(sha);
    const body = gh.comments(7)[0]!.body;
    expect(body).toContain('### groupops apply: ⛔ refused by a safety limit');
    expect(body).toContain('--allow-mass-delete');
    expect(res.stdout).toContain('The snapshot is unchanged: nothing to commit.');
  });

  it('does not call a snapshot that does not exist unchanged (a first apply the API refused)', async () => {
    const sha = gitInit(repo.dir);
    landOnMain(gh, repo.dir, sha, 9);
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha, { RABBITPRE_TOKEN: 'tok-rejected-0123456789abcdef' }) });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('There is no snapshot yet (nothing was acknowledged): nothing to commit.');
    expect(res.stdout).not.toContain('unchanged');
    expect(gh.ref('main')).toBe(sha);
  });

  it('refuses with exit 3 a snapshot of another tenant (RABBITPRE_BASE_URL elsewhere): nothing sent, nothing committed, the reason on the PR', async () => {
    await applyLocally();
    gitInit(repo.dir);
    await repo.write('groups/vip.yaml', groupYaml('VIP', phones(0, 4, '139')));
    const sha = merge('one more', 8);
    const other = await startSandbox();
    try {
      const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha, { RABBITPRE_BASE_URL: other.url, RABBITPRE_TOKEN: other.token }) });
      expect(res.code).toBe(3);
      expect(other.requests()).toHaveLength(0);
      expect(gh.ref('main')).toBe(sha);
      expect(res.stderr).toContain(`refusing to apply: .groupops/snapshot.json belongs to target "default" (${sb.url}), but RABBITPRE_BASE_URL points at ${other.url}`);
      expect(gh.comments(8)[0]!.body).toContain('refused');
    } finally {
      await other.close();
    }
  });

  it('fails before sending anything when its token cannot write the repository contents', async () => {
    const sha = gitInit(repo.dir);
    landOnMain(gh, repo.dir, sha, 11);
    gh.forbidContentWrites = true;
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^error: the GitHub token cannot commit the snapshot to main \(GitHub API: cannot upload the snapshot: HTTP 403 \(Resource not accessible by integration\)\): give the apply job `permissions: contents: write`/m,
    );
    expect(sb.requests()).toHaveLength(0);
    expect(gh.ref('main')).toBe(sha);
  });

  it('applies only the default branch: a dispatch on another branch sends nothing', async () => {
    const sha = gitInit(repo.dir);
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env: await applyEnv(sha, { GITHUB_REF_NAME: 'feature' }) });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('applies the default branch (main) only; this run is for "feature". Nothing was sent.');
    expect(sb.requests()).toHaveLength(0);
    expect(gh.requests).toHaveLength(0);
  });
});
