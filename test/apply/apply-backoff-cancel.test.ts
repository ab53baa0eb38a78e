import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createV2Client } from '../../src/api/v2-client.js';
import { applyWorkspace } from '../../src/app/apply.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { startBareServer, type BareReply, type BareServer } from '../helpers/bare-server.js';
import { groupYaml, phones, tempWorkspace } from './workspace-fixture.js';

const STATE = '.groupops/snapshot.json';
const TOKEN = 'tok-backoff-cancel';
const BUSY: BareReply = { status: 429, headers: { 'retry-after': '3600' }, body: '{"code":"429","errorCode":"TOO_MANY_REQUESTS","msg":"slow down"}' };

let server: BareServer | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  await cleanup?.();
  server = undefined;
  cleanup = undefined;
});

/**
 * Applies the workspace with the real v2 client against a bare server answering `reply`; the apply
 * is interrupted (as Ctrl-C does) as soon as the client starts waiting to retry.
 */
async function applyInterruptedInBackoff(files: Record<string, string>, reply: (index: number) => BareReply) {
  const ws = await tempWorkspace(files);
  cleanup = ws.cleanup;
  server = await startBareServer((_req, index) => reply(index));
  const controller = new AbortController();
  const waits: number[] = [];
  const api = createV2Client({
    baseUrl: server.url,
    pathPrefix: '/api/integrate',
    token: TOKEN,
    timeoutMs: 10_000,
    retries: 5,
    // A wait this long would outlast the test: only the interrupt can end it.
    retryMaxMs: 600_000,
    onRetry: (info) => {
      waits.push(info.delayMs);
      setImmediate(() => controller.abort());
    },
  });
  let tick = 0;
  const outcome = await applyWorkspace(await openWorkspace({ cwd: ws.dir }), {
    api,
    fileSystem: nodeFileSystem(),
    concurrency: 1,
    clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, tick++)),
    gitCommit: async () => null,
    toolVersion: '9.9.9',
    signal: controller.signal,
  });
  return { outcome, waits, dir: ws.dir, server };
}

describe('an apply interrupted while a request waits out a long Retry-After', () => {
  it('stops at once: one request sent, nothing recorded, status interrupted, no snapshot written', async () => {
    const { outcome, waits, dir, server } = await applyInterruptedInBackoff({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) }, () => BUSY);
    expect(waits).toEqual([600_000]);
    expect(server.requests).toHaveLength(1);
    expect(outcome.status).toBe('interrupted');
    expect(outcome.failure).toBeUndefined();
    expect(outcome.requests).toEqual([]);
    expect(outcome.snapshotWritten).toBe(false);
    await expect(stat(join(dir, STATE))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, `${STATE}.journal`))).rejects.toThrow(/ENOENT/);
  });

  it('records the request answered before the interrupt and leaves the waiting one for the next apply', async () => {
    // 700 members: two requests; the first is acknowledged, the second meets a busy server.
    const ok = '{"code":"200","errorCode":"SUCCESS","msg":"ok","data":15314513451345123}';
    const { outcome, server, dir } = await applyInterruptedInBackoff({ 'groups/a.yaml': groupYaml('A', phones(0, 700)) }, (index) => (index === 0 ? { body: ok } : BUSY));
    expect(server.requests).toHaveLength(2);
    expect(outcome.status).toBe('interrupted');
    expect(outcome.failure).toBeUndefined();
    expect(outcome.requests.map((r) => [r.index, r.batchId])).toEqual([[0, '15314513451345123']]);
    const { snapshot } = await readSnapshot(nodeFileSystem(), join(dir, STATE));
    expect(snapshot.lastApply?.complete).toBe(false);
    expect(snapshot.lastApply?.requests.map((r) => r.batchId)).toEqual(['15314513451345123']);
  });
});
