import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { actionsEnv, groupYaml, pullRequestEvent, tempRepo } from './gh-env.js';
import { runMain } from '../helpers/cli.js';
import { forgeSource } from '../helpers/forge-source.js';

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
  const output = join(repo.dir, '.output');
  await writeFile(output, '');
  return actionsEnv(gh, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, RUNNER_TEMP: repo.dir, GITHUB_WORKSPACE: repo.dir });
}

const planChecksum = async (): Promise<string> => {
  const res = await runMain(['plan', '--format', 'json'], { cwd: repo.dir, env: { NO_COLOR: '1' } });
  return (JSON.parse(res.stdout) as { checksum: string }).checksum;
};

describe('groupops github plan', () => {
  it('posts the plan as one sticky comment with the checksum, masked, and the full plan to the job summary', async () => {
    const env = await prEnv();
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
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
    // With no snapshot yet, nothing is deleted: the apply on merge goes ahead.
    expect(summary).toContain('✅ **Within the safety limits**: the apply on merge will go ahead (it deletes nothing).');
    expect(res.stdout).toContain('PR comment created');
    // A plan this small needs no artifact: no plan-json output; the Action's outputs are the plan's.
    expect(await readFile(env.GITHUB_OUTPUT!, 'utf8')).toBe(`result=planned\nchecksum=${await planChecksum()}\nadd=2\ndelete=0\nrequests=1\n`);
  });

  it('leaves group files unread only when the snapshot is the base branch one: a PR that edits the snapshot gets every file read', async () => {
    expect((await runMain(['adopt'], { cwd: repo.dir, env: { NO_COLOR: '1' } })).code).toBe(0);
    const snapshot = await readFile(join(repo.dir, '.groupops/snapshot.json'), 'utf8');
    gh.setRef('main', gh.seedCommit({ parents: [], files: { '.groupops/snapshot.json': snapshot } }));
    const trusted = await runMain(['github', 'plan'], { cwd: repo.dir, env: { ...(await prEnv()), GROUPOPS_VERBOSE: '1' } });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stderr).toContain('the snapshot is the base branch one');
    expect(trusted.stderr).toContain('1 unchanged since the last apply');
    // The PR adds a member and writes a source that claims the group is as applied: the plan reads the file anyway.
    await repo.write('groups/vip.yaml', groupYaml('VIP', ['18888888888', '13900000001', '13700000002']));
    await forgeSource(repo.dir, 'VIP');
    const edited = await runMain(['github', 'plan'], { cwd: repo.dir, env: { ...(await prEnv({ headSha: 'b'.repeat(40) })), GROUPOPS_VERBOSE: '1' } });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).toContain('every group file is read');
    expect(edited.stderr).not.toContain('unchanged since the last apply');
    expect(gh.comments(12).at(-1)!.body).toContain('**Plan: 1 to add, 0 to delete, in 1 request.**');
  });

  it('replaces the plan comment with the refusal and exits 3 when the snapshot belongs to another target', async () => {
    await runMain(['github', 'plan'], { cwd: repo.dir, env: await prEnv() });
    await repo.write('.groupops/snapshot.json', '{\n  "schemaVersion": 1,\n  "target": {"name":"default","baseUrl":"https://tenant-a.example.com"},\n  "lastApply": null,\n  "groups": []\n}\n');
    const env = await prEnv({ headSha: 'c'.repeat(40) });
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(
      'refusing to plan: .groupops/snapshot.json belongs to target "default" (https://tenant-a.example.com), but the default base URL points at https://integrate.rabbitpre.com',
    );
    const comments = gh.comments(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('⛔ **Refused:** refusing to plan');
    expect(comments[0]!.body).not.toContain('Plan checksum');
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('⛔ **Refused:**');
  });

  it('annotates every validation issue on its line, lists them in the comment, and exits 1', async () => {
    await repo.write('groups/bad.yaml', 'name: Bad\ncategory: enterprise\nmembers:\n  - phone: 18888888888\nmemebrs: []\n');
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env: await prEnv() });
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

  it('names a corrupt config or snapshot as what is invalid, not the group files, in the comment and the summary', async () => {
    await repo.write('.groupops/config.yaml', 'safety:\n  maxDeletePercent: lots\n');
    let env = await prEnv();
    let res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);
    let body = gh.comments(12)[0]!.body;
    expect(body).toContain('❌ **The config is invalid**');
    expect(body).not.toContain('group files are invalid');
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('❌ **The config is invalid**');
    await repo.write('.groupops/config.yaml', null);
    await repo.write('.groupops/snapshot.json', '{ "schemaVersion": 1, "groups": [ }\n');
    env = await prEnv();
    res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);
    body = gh.comments(12)[0]!.body;
    expect(body).toContain('❌ **The snapshot cannot be read**');
    expect(body).not.toContain('group files are invalid');
  });

  it('without GITHUB_TOKEN still writes the plan to the job summary, then fails saying how to pass it', async () => {
    const env = await prEnv();
    delete env.GITHUB_TOKEN;
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('error: GITHUB_TOKEN is not set: pass it to the step with `env: GITHUB_TOKEN: ${{ github.token }}` (see docs/github.md)\n');
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('The plan is not posted as a PR comment: `GITHUB_TOKEN` is not set for this step.');
    expect(summary).toContain('**Plan: 2 to add, 0 to delete, in 1 request.**');
    expect(gh.requests).toHaveLength(0);
  });

  it('never prints the token', async () => {
    const env = await prEnv();
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.stdout + res.stderr).not.toContain(gh.token);
    expect(gh.comments(12)[0]!.body).not.toContain(gh.token);
  });
});
