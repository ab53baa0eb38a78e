import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';

// Issue 14.5: the JSON plan is one line unless asked (--pretty) or on a terminal; either way the
// same document.

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'groupops-json-pretty-'));
  await mkdir(join(dir, 'groups'));
  await writeFile(join(dir, 'groups', 'vip.yaml'), ['name: VIP', 'members:', '  - phone: "13800000001"', '  - unionid: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', ''].join('\n'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function plan(args: readonly string[], terminal = false): Promise<string> {
  let stdout = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), true), isTTY: terminal },
    stderr: { write: () => true },
    env: {},
    cwd: dir,
  };
  expect(await main(['node', 'groupops', 'plan', '--format', 'json', ...args], io)).toBe(0);
  return stdout;
}

describe('plan --format json', () => {
  it('is one line on a pipe, indented with --pretty or on a terminal, and the same document', async () => {
    const piped = await plan([]);
    expect(piped.trimEnd().split('\n')).toHaveLength(1);
    const pretty = await plan(['--pretty']);
    expect(pretty).toContain('\n  "summary": {');
    const terminal = await plan([], true);
    expect(terminal).toBe(pretty);
    expect(JSON.parse(pretty)).toEqual(JSON.parse(piped));
    expect(JSON.parse(piped).summary).toEqual({ add: 2, delete: 0, requests: 1 });
  });

  it('writes one line to a file (--out), indented with --pretty', async () => {
    await plan(['--out', 'plan.json']);
    const oneLine = await readFile(join(dir, 'plan.json'), 'utf8');
    expect(oneLine.trimEnd().split('\n')).toHaveLength(1);
    await plan(['--out', 'plan.json', '--pretty'], true);
    const indented = await readFile(join(dir, 'plan.json'), 'utf8');
    expect(indented.split('\n').length).toBeGreaterThan(10);
    expect(JSON.parse(indented)).toEqual(JSON.parse(oneLine));
  });
});
