import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../src/core/render/escape-markdown.js';
import { APPLY_MARKER, PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { actionsEnv, gitInit, groupYaml, landOnMain, pullRequestEvent, pushApplyEnv, tempRepo } from './gh-env.js';
import { runMain } from '../helpers/cli.js';

// Validation issues quote identity values (a duplicate member, a number that should be quoted, a
// CSV row listed twice). Everything a PR reader sees — annotations, the PR comment, the job summary,
// the apply log — shows them masked, as the plan itself does, unless masking is turned off.
const RAW = '18888888888';
const MASKED = '188****8888';
const CSV_RAW = '13700000000';
const CSV_MASKED = '137****0000';

/** One file with a duplicate phone member and an unquoted phone number, one CSV list with a row listed twice. */
const INVALID = {
  'groups/bad.yaml': `name: Bad\ncategory: enterprise\nmembers:\n  - phone: "${RAW}"\n  - phone: "${RAW}"\n  - phone: ${RAW}\n`,
  'groups/crm.yaml': 'name: CRM\nmemberFiles: [crm.csv]\n',
  'groups/crm.csv': `phone\n${CSV_RAW}\n13600000000\n${CSV_RAW}\n`,
};

let gh: FakeGitHub;
let repo: Awaited<ReturnType<typeof tempRepo>>;

beforeEach(async () => {
  gh = await startFakeGitHub();
  repo = await tempRepo({ 'groups/vip.yaml': groupYaml('VIP', ['13900000001']), ...INVALID });
});
afterEach(async () => {
  await gh.close();
  await repo.cleanup();
});

async function prEnv(): Promise<NodeJS.ProcessEnv> {
  const eventPath = join(repo.dir, '.event.json');
  await writeFile(eventPath, JSON.stringify(pullRequestEvent(gh, { number: 12, headSha: 'a'.repeat(40) })));
  const summary = join(repo.dir, '.summary.md');
  await writeFile(summary, '');
  return actionsEnv(gh, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: repo.dir });
}

const errorAnnotations = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error '));

describe('groupops github plan on invalid group files', () => {
  it('masks the identity values issues quote in the annotations, the PR comment and the job summary', async () => {
    const env = await prEnv();
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);

    const annotations = errorAnnotations(res.stdout);
    const duplicate = annotations.find((a) => a.startsWith('::error file=groups/bad.yaml,line=5,col=5,'));
    expect(duplicate).toContain(`duplicate member: phone "${MASKED}" is already listed on line 4`);
    const number = annotations.find((a) => a.startsWith('::error file=groups/bad.yaml,line=6,col=12,'));
    expect(number).toContain(`identity value ${MASKED} is a YAML number: quote it ("${MASKED}")`);
    expect(annotations.find((a) => a.startsWith('::error file=groups/crm.csv,line=4,'))).toContain(`duplicate member: phone "${CSV_MASKED}"`);

    const body = gh.comments(12)[0]!.body;
    expect(body.startsWith(PLAN_MARKER)).toBe(true);
    expect(body).toContain('❌ **The group files are invalid**: 3 problems in 2 files');
    // The table escapes text from the files: "*" is an entity there.
    expect(body).toContain(escapeMarkdown(`duplicate member: phone "${MASKED}" is already listed on line 4`));
    expect(body).toContain(escapeMarkdown(`identity value ${MASKED} is a YAML number`));
    expect(body).toContain(escapeMarkdown(`phone "${CSV_MASKED}"`));
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain(escapeMarkdown(`duplicate member: phone "${MASKED}"`));

    for (const text of [res.stdout, res.stderr, body, summary]) {
      expect(text).not.toContain(RAW);
      expect(text).not.toContain(CSV_RAW);
    }
  });

  it('shows the values as written with --no-mask', async () => {
    const env = await prEnv();
    const res = await runMain(['github', 'plan', '--no-mask'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);
    expect(errorAnnotations(res.stdout).some((a) => a.includes(`duplicate member: phone "${RAW}"`))).toBe(true);
    expect(gh.comments(12)[0]!.body).toContain(CSV_RAW);
  });

  it('shows the values as written when the config turns masking off', async () => {
    await repo.write('.groupops/config.yaml', 'output:\n  maskIdentities: false\n');
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env: await prEnv() });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`identity value ${RAW} is a YAML number`);
    expect(gh.comments(12)[0]!.body).toContain(RAW);
  });

  it('keeps the values masked in CI even when the config turns masking off (a PR could change the config): only --no-mask shows them', async () => {
    await repo.write('.groupops/config.yaml', 'output:\n  maskIdentities: false\n');
    const res = await runMain(['github', 'plan'], { cwd: repo.dir, env: { ...(await prEnv()), CI: 'true' } });
    expect(res.code).toBe(1);
    expect(res.stdout).not.toContain(RAW);
    expect(gh.comments(12)[0]!.body).not.toContain(RAW);
  });

  it('leaves local output as written: validate on the terminal and as JSON (without the internal sensitive field)', async () => {
    const text = await runMain(['validate'], { cwd: repo.dir, env: { NO_COLOR: '1' } });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`groups/bad.yaml:5:5: duplicate member: phone "${RAW}"`);
    const json = await runMain(['validate', '--format', 'json'], { cwd: repo.dir, env: { NO_COLOR: '1' } });
    const doc = JSON.parse(json.stdout) as { issues: Record<string, unknown>[] };
    expect(doc.issues).toContainEqual({ file: 'groups/bad.yaml', line: 6, column: 12, message: `identity value ${RAW} is a YAML number: quote it ("${RAW}") so leading zeros and "+" are kept` });
    for (const issue of doc.issues) expect(Object.keys(issue)).toEqual(['file', 'line', 'column', 'message']);
  });
});

describe('groupops github apply on invalid group files', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => {
    await sb.close();
  });

  function applyEnv(sha: string): Promise<NodeJS.ProcessEnv> {
    return pushApplyEnv(gh, { sha, eventPath: join(repo.dir, '.push.json'), workspace: repo.dir, sandbox: sb });
  }

  it('sends nothing and masks the values in the run log, the annotation, the job summary and the merged PR comment', async () => {
    const sha = gitInit(repo.dir);
    landOnMain(gh, repo.dir, sha, 5);
    const env = await applyEnv(sha);
    const res = await runMain(['github', 'apply', '--auto-approve'], { cwd: repo.dir, env });
    expect(res.code).toBe(1);
    expect(sb.requests()).toHaveLength(0);

    expect(res.stderr).toContain(`groups/bad.yaml:5:5: duplicate member: phone "${MASKED}"`);
    expect(res.stdout).toMatch(/^::error::groupops apply invalid: the group files are invalid:/m);
    const body = gh.comments(5)[0]!.body;
    expect(body.startsWith(APPLY_MARKER)).toBe(true);
    expect(body).toContain('### groupops apply: ❌ the group files are invalid');
    expect(body).toContain(`groups/bad.yaml:6:12: identity value ${MASKED} is a YAML number`);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain(CSV_MASKED);

    for (const text of [res.stdout, res.stderr, body, summary]) {
      expect(text).not.toContain(RAW);
      expect(text).not.toContain(CSV_RAW);
    }
  });
});
