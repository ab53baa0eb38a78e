import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createV2Client } from '../../src/api/v2-client.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { smallBatch } from '../api/batch-builders.js';

// The built CLI, as users run it (`npm test` builds first).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'groupops.js');

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'commands', 'sandbox.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does)');
});

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with stdout once it contains `text`, or rejects if the process ends first. */
function waitFor(r: Run, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (r.stdout().includes(text)) resolve(r.stdout());
    };
    r.child.stdout.on('data', check);
    void r.exited.then((code) => reject(new Error(`exited with ${code} before printing "${text}":\n${r.stdout()}\n${r.stderr()}`)));
    check();
  });
}

describe('groupops sandbox (the built CLI)', () => {
  it('starts on --port 0, prints the env lines, serves the API, and stops on SIGTERM', async () => {
    const r = run(['sandbox', '--port', '0', '--token', 'cli-token']);
    const out = await waitFor(r, 'RABBITPRE_TOKEN=');
    const url = /^RABBITPRE_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toMatch(/^RABBITPRE_TOKEN=cli-token$/m);
    const api = createV2Client({ baseUrl: url ?? '', pathPrefix: '/api/integrate', token: 'cli-token', timeoutMs: 5_000, retries: 0 });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    const state = (await (await fetch(`${url ?? ''}/__sandbox/state`)).json()) as { memberships: unknown[] };
    expect(state.memberships).toHaveLength(1);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toContain('#1 POST /api/integrate/audience/group/rel/v2/batchAdd -> 200 accepted, batch 15314513451345123');
    expect(r.stderr()).toContain('sandbox stopped (SIGTERM)');
  });

  it('lists the three endpoints and fails the customer rows named by --fail-row', async () => {
    const r = run(['sandbox', '--port', '0', '--fail-row', '15800000002=客户不存在', '--fail-row', '15800000003']);
    const out = await waitFor(r, 'RABBITPRE_TOKEN=');
    expect(out).toContain('/api/integrate/audience/group/rel/batchAdd  (user groups, legacy v1)');
    expect(out).toContain('/api/integrate/audience/info/batchAdd  (customer groups)');
    expect(out).toContain('customer rows fail: 2 listed value(s), 0 at random');
    const url = /^RABBITPRE_BASE_URL=(\S+)$/m.exec(out)?.[1] ?? '';
    const faults = (await (await fetch(`${url}/__sandbox/faults`)).json()) as { failRows: unknown };
    expect(faults.failRows).toEqual({ '15800000002': '客户不存在', '15800000003': 'sandbox: row refused' });
    const body = {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' },
      data: [
        { phone: '15800000001', groups: 'C' },
        { phone: '15800000002', groups: 'C' },
      ],
    };
    await fetch(`${url}/api/integrate/audience/info/batchAdd`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': 'sandbox-token' }, body: JSON.stringify(body) });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toContain('#1 POST /api/integrate/audience/info/batchAdd -> 200 accepted, status 2: 1 of 2 rows applied');
  });

  it('refuses an invalid option with exit status 1', async () => {
    const r = run(['sandbox', '--port', '0', '--fault-rate', '2']);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toContain("option '--fault-rate <r>' argument '2' is invalid. expected a number from 0 to 1");
  });

  it('says which port is taken and what to do', async () => {
    const taken = await startSandbox();
    try {
      const port = new URL(taken.url).port;
      const r = run(['sandbox', '--port', port]);
      expect(await r.exited).toBe(1);
      expect(r.stderr()).toContain(`port ${port} on 127.0.0.1 is in use: pick another with --port N, or --port 0 for any free port`);
    } finally {
      await taken.close();
    }
  });
});
