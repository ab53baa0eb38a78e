import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubPort } from '../../src/github/github-port.js';
import { createOctokit } from '../../src/github/octokit.js';
import { octokitPort } from '../../src/github/octokit-port.js';
import { PLAN_MARKER, upsertStickyComment } from '../../src/github/sticky-comment.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

let gh: FakeGitHub;
// Contract tests of the octokit adapter (and the sticky comment logic over it) against the fake GitHub API.
let github: GitHubPort;

beforeEach(async () => {
  gh = await startFakeGitHub();
  github = octokitPort(createOctokit({ baseUrl: gh.url, token: gh.token, throttle: false, retries: 0 }), gh);
});
afterEach(async () => {
  await gh.close();
});

const target = () => ({ issueNumber: 7, marker: PLAN_MARKER });

describe('upsertStickyComment', () => {
  it('creates the comment with the marker first, then updates the same one in place', async () => {
    const first = await upsertStickyComment(github, target(), 'plan one');
    expect(first.outcome).toBe('created');
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.comments(7)[0]!.body).toBe(`${PLAN_MARKER}\nplan one`);

    const second = await upsertStickyComment(github, target(), 'plan two');
    expect(second).toMatchObject({ outcome: 'updated', id: (first as { id: number }).id });
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.comments(7)[0]!.body).toBe(`${PLAN_MARKER}\nplan two`);
    expect(gh.comments(7)[0]!.updates).toBe(1);
  });

  it('sends nothing when the body did not change', async () => {
    await upsertStickyComment(github, target(), 'same');
    const writes = () => gh.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    expect((await upsertStickyComment(github, target(), 'same')).outcome).toBe('unchanged');
    expect(writes()).toBe(before);
  });

  it('finds its comment on a later page of a long conversation instead of adding a second one', async () => {
    for (let i = 0; i < 120; i++) gh.addComment(7, `chatter ${i}`);
    gh.addComment(7, `${PLAN_MARKER}\nold plan`, { login: 'github-actions[bot]', type: 'Bot' });
    for (let i = 0; i < 90; i++) gh.addComment(7, `more chatter ${i}`);
    const res = await upsertStickyComment(github, target(), 'new plan');
    expect(res.outcome).toBe('updated');
    const marked = gh.comments(7).filter((c) => c.body.startsWith(PLAN_MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]!.body).toBe(`${PLAN_MARKER}\nnew plan`);
    // Three pages of 100 were read.
    expect(gh.requests.filter((r) => r.method === 'GET' && r.path.includes('/issues/7/comments'))).toHaveLength(3);
  });

  it("prefers the bot's comment over a person's that quotes the marker", async () => {
    gh.addComment(7, `${PLAN_MARKER}\nquoted by a person`);
    const bot = gh.addComment(7, `${PLAN_MARKER}\nbot plan`, { login: 'github-actions[bot]', type: 'Bot' });
    const res = await upsertStickyComment(github, target(), 'fresh');
    expect(res).toMatchObject({ outcome: 'updated', id: bot.id });
    expect(gh.comments(7)[0]!.body).toBe(`${PLAN_MARKER}\nquoted by a person`);
  });

  it("never takes over a person's comment that starts with the marker: the plan goes in a comment of its own", async () => {
    const person = gh.addComment(7, `${PLAN_MARKER}\nfake plan: nothing to delete`);
    const res = await upsertStickyComment(github, target(), 'real plan');
    expect(res.outcome).toBe('created');
    expect((res as { id: number }).id).not.toBe(person.id);
    expect(gh.comments(7).map((c) => c.body)).toEqual([`${PLAN_MARKER}\nfake plan: nothing to delete`, `${PLAN_MARKER}\nreal plan`]);
    expect(person.updates).toBe(0);
  });

  it('reports a read-only token (a fork PR) as forbidden instead of throwing', async () => {
    gh.forbidCommentWrites = true;
    const res = await upsertStickyComment(github, target(), 'plan');
    expect(res).toEqual({ outcome: 'forbidden', status: 403, reason: 'Resource not accessible by integration' });
    expect(gh.comments(7)).toHaveLength(0);
  });

  it('throws a GitHub error naming the action for other failures, without the token', async () => {
    const bad = octokitPort(createOctokit({ baseUrl: gh.url, token: 'wrong-token', throttle: false, retries: 0 }), gh);
    const err = await upsertStickyComment(bad, target(), 'plan').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('GitHub API: cannot list the comments of #7: HTTP 401 (Bad credentials)');
    expect((err as Error).message).not.toContain(gh.token);
  });
});
