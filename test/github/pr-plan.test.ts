import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { actionsEnv, groupYaml, pullRequestEvent, runCli, tempRepo } from './gh-env.js';

let gh: FakeGitHub;
let repo: Awaited<ReturnType<typeof tempRepo>>;

beforeEach(async () => {
  gh = await startFakeGitHub();
  repo = await tempRepo({ 'groups/vip.yaml': groupYaml('VIP', ['18888888888', '13900000001']) });
});
afterEach(async () => {
  await gh.close();
  await repo.cleanup();
});

async function prEnv(opts: { headSha?: string; fork?: boolean } = {}): Promise<NodeJS.ProcessEnv> {
  const eventPath = join(repo.dir, '.event.json');
  await writeFile(eventPath, JSON.stringify(pullRequestEvent(gh, { number: 12, headSha: opts.headSha ?? 'a'.repeat(40), fork: opts.fork ?? false })));
  const summary = join(repo.dir, '.summary.md');
  await writeFile(summary, '');
  return actionsEnv(gh, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: repo.dir });
}

const planChecksum = async (): Promise<string> => {
  const res = await runCli(['plan', '--format', 'json'], repo.dir, { NO_COLOR: '1' });
  return (JSON.parse(res.stdout) as { checksum: string }).checksum;
};

describe('groupops github plan', () => {
  it('posts the plan as one sticky comment with the checksum, masked, and the full plan to the job summary', async () => {
    const env = await prEnv();
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const comments = gh.comments(12);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(`${PLAN_MARKER}\n### groupops plan`)).toBe(true);
    expect(body).toContain(`Plan checksum: \`${await planChecksum()}\``);
    expect(body).toContain('188****8888');
    expect(body).not.toContain('18888888888');
    expect(body).toContain('by [this run](https://github.test/acme/groups/actions/runs/4242)');
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('**Plan: 2 to add, 0 to delete, in 1 request.**');
    expect(res.stdout).toContain('PR comment created');
  });

  it('updates the same comment on the next push: one comment, new checksum', async () => {
    await runCli(['github', 'plan'], repo.dir, await prEnv());
    const firstBody = gh.comments(12)[0]!.body;
    await repo.write('groups/vip.yaml', groupYaml('VIP', ['18888888888', '13900000001', '13700000002']));
    const res = await runCli(['github', 'plan'], repo.dir, await prEnv({ headSha: 'b'.repeat(40) }));
    expect(res.code).toBe(0);
    const comments = gh.comments(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.updates).toBe(1);
    expect(comments[0]!.body).not.toBe(firstBody);
    expect(comments[0]!.body).toContain(`Plan checksum: \`${await planChecksum()}\``);
    expect(comments[0]!.body).toContain('Planned for bbbbbbb');
  });

  it('replaces the plan comment with the refusal and exits 3 when the snapshot belongs to another target', async () => {
    await runCli(['github', 'plan'], repo.dir, await prEnv());
    await repo.write(
      '.groupops/snapshot.json',
      '{\n  "schemaVersion": 1,\n  "target": {"name":"default","baseUrl":"https://tenant-a.example.com"},\n  "lastApply": null,\n  "groups": []\n}\n',
    );
    const env = await prEnv({ headSha: 'c'.repeat(40) });
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('refusing to plan: .groupops/snapshot.json belongs to target "default" (https://tenant-a.example.com), but the default base URL points at https://integrate.rabbitpre.com');
    const comments = gh.comments(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('⛔ **Refused:** refusing to plan');
    expect(comments[0]!.body).not.toContain('Plan checksum');
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('⛔ **Refused:**');
  });

  it('annotates every validation issue on its line, lists them in the comment, and exits 1', async () => {
    await repo.write('groups/bad.yaml', 'name: Bad\ncategory: enterprise\nmembers:\n  - phone: 18888888888\nmemebrs: []\n');
    const res = await runCli(['github', 'plan'], repo.dir, await prEnv());
    expect(res.code).toBe(1);
    const annotations = res.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotations.length).toBeGreaterThanOrEqual(2);
    for (const a of annotations) expect(a).toMatch(/^::error file=groups\/bad\.yaml,line=\d+,col=\d+,title=groupops::\S/);
    expect(annotations.some((a) => a.startsWith('::error file=groups/bad.yaml,line=4,col='))).toBe(true);
    expect(annotations.some((a) => a.startsWith('::error file=groups/bad.yaml,line=5,col=1,'))).toBe(true);
    const body = gh.comments(12)[0]!.body;
    expect(body).toContain('❌ **The group files are invalid**');
    expect(body).toContain('groups&#47;bad&#46;yaml');
  });

  it('falls back to the job summary on a fork PR whose token cannot comment', async () => {
    gh.forbidCommentWrites = true;
    const env = await prEnv({ fork: true });
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.code).toBe(0);
    expect(gh.comments(12)).toHaveLength(0);
    expect(res.stdout).toMatch(/^::notice::groupops: the plan is in the job summary only: this PR comes from a fork/m);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('The plan is not posted as a PR comment: this PR comes from a fork');
    expect(summary).toContain('**Plan: 2 to add, 0 to delete, in 1 request.**');
  });

  it('cuts a plan longer than a comment at a line boundary, with a note, while the summary keeps all of it', async () => {
    for (let g = 0; g < 40; g++) {
      await repo.write(`groups/big-${g}.yaml`, groupYaml(`Big ${g}`, Array.from({ length: 150 }, (_, i) => `13${String(g).padStart(2, '0')}${String(i).padStart(7, '0')}`)));
    }
    const env = await prEnv();
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.code).toBe(0);
    const body = gh.comments(12)[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toMatch(/\n```\n\n<\/details>\n\n> ⚠️ \*\*The plan is cut here\*\*: a PR comment holds at most 65,536 characters\. The full plan is in the job summary of \[this run\]\(https:\/\/github\.test\/acme\/groups\/actions\/runs\/4242\)\.\n$/);
    expect(body).toContain(`Plan checksum: \`${await planChecksum()}\``);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary.length).toBeGreaterThan(body.length);
    // The last group of the plan is only in the summary.
    expect(summary).toContain('VIP &#40;enterprise&#41;: +2 −0');
    expect(body).not.toContain('VIP &#40;enterprise&#41;');
    expect(summary).not.toContain('The plan is cut here');
  });

  it('refuses to run without GITHUB_TOKEN before writing anything', async () => {
    const env = await prEnv();
    delete env.GITHUB_TOKEN;
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('GITHUB_TOKEN is not set');
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('');
    expect(gh.requests).toHaveLength(0);
  });

  it('never prints the token', async () => {
    const env = await prEnv();
    const res = await runCli(['github', 'plan'], repo.dir, env);
    expect(res.stdout + res.stderr).not.toContain(gh.token);
    expect(gh.comments(12)[0]!.body).not.toContain(gh.token);
  });
});
