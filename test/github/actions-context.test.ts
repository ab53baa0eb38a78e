import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBranchOf, githubToken, pullRequestOf, pushedShas, readActionsContext } from '../../src/github/actions-context.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'groupops-ctx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ctxWith(event: unknown, env: NodeJS.ProcessEnv = {}) {
  const path = join(dir, `e${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof event === 'string' ? event : JSON.stringify(event));
  return readActionsContext({ GITHUB_REPOSITORY: 'acme/groups', GITHUB_EVENT_PATH: path, ...env });
}

describe('readActionsContext', () => {
  it('reads the repository, API URL (default github.com), run URL and summary path', async () => {
    const ctx = await ctxWith({}, { GITHUB_API_URL: 'http://127.0.0.1:1234/', GITHUB_RUN_ID: '77', GITHUB_STEP_SUMMARY: '/tmp/s.md' });
    expect(ctx.repo).toEqual({ owner: 'acme', repo: 'groups' });
    expect(ctx.apiUrl).toBe('http://127.0.0.1:1234');
    expect(ctx.runUrl).toBe('https://github.com/acme/groups/actions/runs/77');
    expect(ctx.stepSummaryPath).toBe('/tmp/s.md');
    expect((await ctxWith({})).apiUrl).toBe('https://api.github.com');
  });

  it('explains a missing or malformed GITHUB_REPOSITORY and an unreadable payload', async () => {
    await expect(readActionsContext({})).rejects.toThrow('GITHUB_REPOSITORY is not set');
    await expect(readActionsContext({ GITHUB_REPOSITORY: 'just-a-name' })).rejects.toThrow('GITHUB_REPOSITORY is "just-a-name", expected owner/name');
    await expect(ctxWith('not json')).rejects.toThrow(/the event payload GITHUB_EVENT_PATH=.* is not a JSON object/);
    await expect(readActionsContext({ GITHUB_REPOSITORY: 'a/b', GITHUB_EVENT_PATH: join(dir, 'missing.json') })).rejects.toThrow('cannot read the event payload');
  });

  it('says how to pass GITHUB_TOKEN without ever showing one', () => {
    expect(() => githubToken({})).toThrow('GITHUB_TOKEN is not set: pass it to the step');
    expect(githubToken({ GITHUB_TOKEN: 'ghs_x' })).toBe('ghs_x');
  });
});

describe('the event payload', () => {
  const pr = (head: unknown) => ({ pull_request: { number: 4, head: { sha: 'h'.repeat(40), repo: head }, base: { ref: 'main', repo: { full_name: 'acme/groups' } } } });

  it('tells a fork PR (or one whose fork was deleted) from a branch of the same repository', async () => {
    expect(pullRequestOf(await ctxWith(pr({ full_name: 'acme/groups' })))).toEqual({ number: 4, headSha: 'h'.repeat(40), baseRef: 'main', fromFork: false });
    expect(pullRequestOf(await ctxWith(pr({ full_name: 'someone/groups' })))?.fromFork).toBe(true);
    expect(pullRequestOf(await ctxWith(pr(null)))?.fromFork).toBe(true);
    expect(pullRequestOf(await ctxWith({ ref: 'refs/heads/main' }))).toBeUndefined();
  });

  it("lists a push's commits and head once each, ignoring a deleted branch's zero sha", async () => {
    const ctx = await ctxWith({ after: 'c', commits: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], repository: { default_branch: 'trunk' } }, { GITHUB_SHA: 'c' });
    expect(pushedShas(ctx)).toEqual(['a', 'b', 'c']);
    expect(defaultBranchOf(ctx)).toBe('trunk');
    expect(pushedShas(await ctxWith({ after: '0'.repeat(40) }))).toEqual([]);
  });
});
