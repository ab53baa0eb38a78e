import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN, startCli, type RunningCli } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

// `groupops plan --format json | head`: the reader goes away after the first lines. Like other Unix
// tools, groupops then stops writing and exits with its own status; it used to report the pipe's
// EPIPE as an internal error (a bug report request) with exit status 1.

let repo: TempRepo | undefined;
let running: RunningCli | undefined;
afterEach(async () => {
  await running?.stop();
  await repo?.cleanup();
  running = repo = undefined;
});

describe('a reader that closes the output early', () => {
  it('is not an error: the plan exits 0 with nothing on stderr', async () => {
    // Twenty thousand members: megabytes of JSON, far beyond what a pipe holds, so writes do fail.
    const rows = Array.from({ length: 20_000 }, (_, i) => `1${String(3800000000 + i)}`);
    repo = await createTempRepo({ files: { 'groups/big.yaml': 'name: big\nmemberFiles:\n  - big.csv\n', 'groups/big.csv': `phone\n${rows.join('\n')}\n` }, prefix: 'groupops-e2e-pipe-' });
    running = startCli(['plan', '--format', 'json'], { cwd: repo.dir });
    await running.waitFor(/"changes"/);
    running.child.stdout!.destroy();
    const result = await running.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('an output that fails otherwise', () => {
  it('is an error: a full disk under `> plan.json` ends in exit 1 and says so, not in a cut plan and exit 0', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `1${String(3800000000 + i)}`);
    repo = await createTempRepo({ files: { 'groups/big.yaml': 'name: big\nmemberFiles:\n  - big.csv\n', 'groups/big.csv': `phone\n${rows.join('\n')}\n` }, prefix: 'groupops-e2e-full-' });
    // /dev/full accepts the open and fails every write with ENOSPC, as a full disk does.
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI_BIN, 'plan', '--format', 'json'], { cwd: repo.dir, stdio: ['ignore', full, 'pipe'], env: { PATH: process.env.PATH ?? '' } });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(stderr).toMatch(/^error: could not write the output: .*ENOSPC/m);
      expect(code).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});
