import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateConflictError } from '../../src/errors/index.js';
import type { GitHubPort } from '../../src/github/github-port.js';
import { createOctokit } from '../../src/github/octokit.js';
import { octokitPort } from '../../src/github/octokit-port.js';
import { commitSnapshot } from '../../src/github/snapshot-commit.js';
import { gitBlobSha, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

let gh: FakeGitHub;
// Contract tests of the octokit adapter (and the commit logic over it) against the fake GitHub API.
let github: GitHubPort;
let base: string;

const SNAP = '.groupops/snapshot.json';

beforeEach(async () => {
  gh = await startFakeGitHub();
  github = octokitPort(createOctokit({ baseUrl: gh.url, token: gh.token, throttle: false, retries: 0 }), gh);
  base = gh.seedCommit({ parents: [], files: { 'groups/a.yaml': 'name: a\nmembers: []\n', [SNAP]: '{"old":true}\n', 'README.md': 'hi\n' } });
  gh.setRef('main', base);
});
afterEach(async () => {
  await gh.close();
});

const request = (content: string, message = 'groupops: apply') => ({
  branch: 'main',
  expectedParent: base,
  path: SNAP,
  content,
  message,
  groupsPath: 'groups',
});

describe('commitSnapshot', () => {
  it('commits the snapshot on the expected parent, keeps the other files, and moves the branch', async () => {
    const res = await commitSnapshot(github, request('{"new":true}\n', 'groupops: apply abc\n\nBatch IDs:\n- add 2 items: 15314513451345123'));
    expect(res).toEqual({ sha: gh.ref('main'), parent: base });
    const c = gh.commit(res.sha)!;
    expect(c.parents).toEqual([base]);
    expect(c.message).toContain('15314513451345123');
    expect(gh.fileAt(res.sha, SNAP)).toBe('{"new":true}\n');
    expect(gh.fileAt(res.sha, 'groups/a.yaml')).toBe('name: a\nmembers: []\n');
    expect(gh.fileAt(res.sha, 'README.md')).toBe('hi\n');
  });

  it('refuses a branch that moved with a new snapshot, leaving the branch as the other writer left it', async () => {
    const other = gh.seedCommit({ parents: [base], files: { 'groups/a.yaml': 'name: a\nmembers: []\n', [SNAP]: '{"other":true}\n', 'README.md': 'hi\n' } });
    gh.beforeNextRefUpdate(() => gh.setRef('main', other));
    const err = await commitSnapshot(github, request('{"new":true}\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect((err as Error).message).toMatch(/moved from .{7} to .{7} and its snapshot \.groupops\/snapshot\.json changed too/);
    expect(gh.ref('main')).toBe(other);
    expect(gh.fileAt(other, SNAP)).toBe('{"other":true}\n');
  });

  it('re-plans once on a branch that moved without touching the snapshot, and says whether groups changed', async () => {
    const other = gh.seedCommit({ parents: [base], files: { 'groups/a.yaml': 'name: a\nmembers: [{phone: "1"}]\n', [SNAP]: '{"old":true}\n', 'README.md': 'hi\n' } });
    gh.beforeNextRefUpdate(() => gh.setRef('main', other));
    const res = await commitSnapshot(github, request('{"new":true}\n'));
    expect(res.parent).toBe(other);
    expect(res.moved).toEqual({ from: base, to: other, groupsChanged: true });
    expect(gh.ref('main')).toBe(res.sha);
    expect(gh.commit(res.sha)!.parents).toEqual([other]);
    // The other writer's change is kept, the snapshot is ours.
    expect(gh.fileAt(res.sha, 'groups/a.yaml')).toBe('name: a\nmembers: [{phone: "1"}]\n');
    expect(gh.fileAt(res.sha, SNAP)).toBe('{"new":true}\n');
  });

  it('skips the doomed first attempt when the branch had already moved', async () => {
    const other = gh.seedCommit({ parents: [base], files: { 'groups/a.yaml': 'name: a\nmembers: []\n', [SNAP]: '{"old":true}\n', 'README.md': 'changed\n' } });
    gh.setRef('main', other);
    const res = await commitSnapshot(github, request('{"new":true}\n'));
    expect(res.moved).toEqual({ from: base, to: other, groupsChanged: false });
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('retries only once: a branch that moves again is refused', async () => {
    const files = { 'groups/a.yaml': 'name: a\nmembers: []\n', [SNAP]: '{"old":true}\n', 'README.md': 'hi\n' };
    const second = gh.seedCommit({ parents: [base], files: { ...files, 'README.md': 'two\n' } });
    const third = gh.seedCommit({ parents: [second], files: { ...files, 'README.md': 'three\n' } });
    gh.beforeNextRefUpdate(() => {
      gh.setRef('main', second);
      gh.beforeNextRefUpdate(() => gh.setRef('main', third));
    });
    const err = await commitSnapshot(github, request('{"new":true}\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect((err as Error).message).toContain('moved again');
    expect(gh.ref('main')).toBe(third);
  });
});

describe("the adapter's pathSha", () => {
  it('gives git object IDs of files, equal IDs for equal folders, and undefined for missing paths', async () => {
    expect(await github.pathSha(base, SNAP)).toBe(gitBlobSha('{"old":true}\n'));
    const same = gh.seedCommit({ parents: [base], files: { 'groups/a.yaml': 'name: a\nmembers: []\n', 'README.md': 'x\n' } });
    expect(await github.pathSha(same, 'groups')).toBe(await github.pathSha(base, 'groups'));
    expect(await github.pathSha(same, SNAP)).toBeUndefined();
  });
});
