import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLY_MARKER } from '../../src/github/sticky-comment.js';
import { startSandbox, type Sandbox, type SandboxRequestLog } from '../../src/sandbox/server.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';
import { actionsEnv, gitInit, groupYaml, landOnMain, pushEvent, tempRepo } from './gh-env.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/groupops.js');

let gh: FakeGitHub;
let sb: Sandbox;
let proxy: HoldingProxy | undefined;
let repo: Awaited<ReturnType<typeof tempRepo>>;
let onRequest: ((entry: SandboxRequestLog) => void) | undefined;

beforeEach(async () => {
  gh = await startFakeGitHub();
  sb = await startSandbox({ onRequest: (entry) => onRequest?.(entry) });
  const members = Array.from({ length: 1500 }, (_, i) => `139${String(i).padStart(8, '0')}`);
  repo = await tempRepo({ '.groupops/config.yaml': 'api:\n  concurrency: 1\n', 'groups/big.yaml': groupYaml('Big', members) });
});
afterEach(async () => {
  onRequest = undefined;
  await proxy?.close();
  proxy = undefined;
  await gh.close();
  await sb.close();
  await repo.cleanup();
});

describe('a cancelled apply job', () => {
  it('stops on SIGINT, lets the request in flight finish, and commits what was acknowledged', async () => {
    // The runner sends SIGINT when a job is cancelled. It goes out the moment the sandbox has request 2
    // (of 3), and the answer to request 2 is held back until the CLI says it has stopped sending: the
    // interrupt lands while a request is in flight on every run, however slow the machine, instead of
    // racing the sandbox's latency.
    let interruptSeen!: () => void;
    const interrupted = new Promise<void>((resolve) => (interruptSeen = resolve));
    proxy = await startHoldingProxy(sb.url, (index) => (index === 1 ? interrupted : undefined));
    const sha = gitInit(repo.dir);
    landOnMain(gh, repo.dir, sha, 3);
    const eventPath = join(repo.dir, '.git', 'event.json');
    await writeFile(eventPath, JSON.stringify(pushEvent(gh, [sha])));
    const env = actionsEnv(gh, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: sha,
      GITHUB_REF_NAME: 'main',
      GITHUB_WORKSPACE: repo.dir,
      RABBITPRE_TOKEN: sb.token,
      RABBITPRE_BASE_URL: proxy.url,
      PATH: process.env.PATH ?? '',
    });
    const child = spawn(process.execPath, [BIN, 'github', 'apply', '--auto-approve'], { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('interrupted: no new request is sent')) interruptSeen();
    });
    onRequest = (entry) => {
      if (entry.seq === 2) child.kill('SIGINT');
    };
    const code = await new Promise<number | null>((done) => child.once('close', (c) => done(c)));
    expect(code, stdout + stderr).toBe(1);

    // Request 2 was answered after the interrupt and is recorded; request 3 was never sent.
    expect(sb.requests()).toHaveLength(2);
    const ids = sb
      .requests()
      .filter((r) => r.verdict === 'accepted')
      .map((r) => r.batchId!);
    expect(ids).toHaveLength(2);
    const commit = gh.commit(gh.ref('main')!)!;
    expect(commit.parents).toEqual([sha]);
    expect(commit.message).toMatch(new RegExp(`^groupops: partial apply of [0-9a-f]{7} \\(${ids.length} of 3 requests acknowledged\\)`));
    for (const id of ids) expect(commit.message).toContain(id);
    const snapshot = JSON.parse(gh.fileAt(commit.sha, '.groupops/snapshot.json')!) as { lastApply: { complete: boolean; requests: unknown[] }; groups: { members: unknown[] }[] };
    expect(snapshot.lastApply.complete).toBe(false);
    expect(snapshot.lastApply.requests).toHaveLength(ids.length);
    expect(sb.memberships()).toHaveLength(1000);
    expect(snapshot.groups[0]!.members).toHaveLength(1000);
    const body = gh.comments(3).find((c) => c.body.startsWith(APPLY_MARKER))!.body;
    expect(body).toContain('### groupops apply: ⚠️ interrupted');
  });
});
