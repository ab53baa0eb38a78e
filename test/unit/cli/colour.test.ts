import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../src/app/workspace.js';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { watchPlan } from '../../../src/cli/watch.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';
import { textOf } from '../../helpers/text-of.js';

const ESC = '\u001b[';
const CLEAR_SCREEN = '\u001b[2J';

/** An in-memory terminal (or pipe) for the CLI. */
function fakeIo(cwd: string, options: { tty: boolean; env?: NodeJS.ProcessEnv }): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string | Uint8Array) => (out += textOf(s)), isTTY: options.tty, columns: 100 },
    stderr: { write: (s: string) => (err += s), isTTY: options.tty },
    env: options.env ?? {},
    cwd,
    out: () => out,
    err: () => err,
  };
}

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const shipped = async (): Promise<TempRepo> => (repo = await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') } }));

describe('colours in the text plan', () => {
  it('are on for a terminal', async () => {
    const io = fakeIo((await shipped()).dir, { tty: true });
    expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
    expect(io.out()).toContain(ESC);
  });

  it('are off for a terminal with NO_COLOR set', async () => {
    const io = fakeIo((await shipped()).dir, { tty: true, env: { NO_COLOR: '1' } });
    expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
    expect(io.out()).not.toContain(ESC);
    expect(io.out()).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');
  });

  it('are off when stdout is not a terminal', async () => {
    const io = fakeIo((await shipped()).dir, { tty: false });
    expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
    expect(io.out()).not.toContain(ESC);
  });

  it('are off for a terminal with --no-color, before or after the command', async () => {
    for (const argv of [
      ['plan', '--no-color'],
      ['--no-color', 'plan'],
    ]) {
      const io = fakeIo((await shipped()).dir, { tty: true });
      expect(await main(['node', 'groupops', ...argv], io)).toBe(0);
      expect(io.out()).not.toContain(ESC);
      expect(io.out()).toContain('Plan: 20 to add');
      await repo!.cleanup();
    }
  });

  it('are off for a terminal with TERM=dumb', async () => {
    const io = fakeIo((await shipped()).dir, { tty: true, env: { TERM: 'dumb' } });
    expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
    expect(io.out()).not.toContain(ESC);
  });

  it('are on without a terminal with FORCE_COLOR, which also wins over NO_COLOR and TERM=dumb', async () => {
    for (const env of [{ FORCE_COLOR: '1' }, { FORCE_COLOR: 'true', NO_COLOR: '1' }, { FORCE_COLOR: '3', TERM: 'dumb' }]) {
      const io = fakeIo((await shipped()).dir, { tty: false, env });
      expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
      expect(io.out(), JSON.stringify(env)).toContain(ESC);
      await repo!.cleanup();
    }
  });

  it('are off for a terminal with FORCE_COLOR=0 or false; an empty FORCE_COLOR or NO_COLOR is ignored', async () => {
    for (const [env, colour] of [
      [{ FORCE_COLOR: '0' }, false],
      [{ FORCE_COLOR: 'false' }, false],
      [{ FORCE_COLOR: '' }, true],
      [{ NO_COLOR: '' }, true],
    ] as const) {
      const io = fakeIo((await shipped()).dir, { tty: true, env });
      expect(await main(['node', 'groupops', 'plan'], io)).toBe(0);
      expect(io.out().includes(ESC), JSON.stringify(env)).toBe(colour);
      await repo!.cleanup();
    }
  });

  it('--no-color wins over FORCE_COLOR', async () => {
    const io = fakeIo((await shipped()).dir, { tty: true, env: { FORCE_COLOR: '1' } });
    expect(await main(['node', 'groupops', 'plan', '--no-color'], io)).toBe(0);
    expect(io.out()).not.toContain(ESC);
  });

  it('never reach a file written with --out, even from a terminal', async () => {
    const io = fakeIo((await shipped()).dir, { tty: true });
    expect(await main(['node', 'groupops', 'plan', '--out', 'plan.txt'], io)).toBe(0);
    expect(await repo!.read('plan.txt')).not.toContain(ESC);
  });
});

describe('watchPlan', () => {
  /** Runs the watch loop until its first plan is out, then stops it. */
  async function firstRound(tty: boolean): Promise<string> {
    const io = fakeIo((await shipped()).dir, { tty, env: { NO_COLOR: '1' } });
    const ws = await openWorkspace({ cwd: io.cwd });
    const stop = new AbortController();
    const watching = watchPlan(io, ws, { format: 'text' }, stop.signal);
    await expect.poll(() => io.err(), { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop');
    stop.abort();
    await watching;
    return io.out();
  }

  it('clears a terminal before each plan', async () => {
    const out = await firstRound(true);
    expect(out.startsWith(CLEAR_SCREEN)).toBe(true);
    expect(out).toContain('Plan: 20 to add');
  });

  it('does not clear when the output is not a terminal', async () => {
    expect(await firstRound(false)).not.toContain(ESC);
  });
});
