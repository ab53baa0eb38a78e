import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { CLI_BIN, runCli } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { textOf } from '../helpers/text-of.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

// `apply` asks for `yes` on a terminal, as terraform does; without one it goes ahead only with
// --auto-approve or in CI. Checked in-process through an io with a terminal's stdin, and once
// through a real pseudo-terminal (util-linux `script`).

let sandbox: Sandbox;
let repo: TempRepo | undefined;
const own = ownedPerTest();

beforeEach(async () => {
  sandbox = own(await startSandbox());
});

const GROUP = 'name: VIP\nmembers:\n  - phone: "13800000001"\n  - phone: "13800000002"\n';

async function workspace(): Promise<TempRepo> {
  repo = own(await createTempRepo({ files: { 'groups/vip.yaml': GROUP } }));
  return repo;
}

/** A terminal in memory: stdin to type into, stdout and stderr that report being a TTY. */
function terminalIo(cwd: string, env: NodeJS.ProcessEnv = {}): CliIo & { stdin: PassThrough & { isTTY: boolean }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  return {
    stdout: { write: (s: string | Uint8Array) => (out += textOf(s)), isTTY: true, columns: 100 },
    stderr: { write: (s: string) => (err += s), isTTY: true },
    stdin,
    env: { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url, NO_COLOR: '1', ...env },
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** Runs `groupops apply` in-process and types `answer` once the question is asked (null: closes the input instead). */
async function applyAnswering(io: ReturnType<typeof terminalIo>, answer: string | null, args: string[] = []): Promise<number> {
  const running = main(['node', 'groupops', 'apply', ...args], io);
  await expect.poll(() => io.err(), { timeout: 20_000, interval: 10 }).toContain('Enter a value: ');
  if (answer === null) io.stdin.end();
  else io.stdin.write(`${answer}\n`);
  return running;
}

describe('apply asks for yes on a terminal', () => {
  it('shows the plan, asks, and applies on "yes"', async () => {
    const r = await workspace();
    const io = terminalIo(r.dir);
    expect(await applyAnswering(io, 'yes')).toBe(0);
    expect(io.out()).toContain('Plan: 2 to add, 0 to delete, in 1 request.');
    expect(io.err()).toContain("Do you want to apply these changes?\n  groupops will send them to Rabbitpre: 2 to add, 0 to delete, in 1 request.\n  Only 'yes' will be accepted to approve.");
    // The plan went to the terminal before the question.
    expect(io.out().indexOf('+ phone 13800000001')).toBeGreaterThanOrEqual(0);
    expect(sandbox.memberships()).toHaveLength(2);
    expect(await r.exists('.groupops/snapshot.json')).toBe(true);
  });

  for (const [what, answer] of [
    ['"no"', 'no'],
    ['"y"', 'y'],
    ['an empty line', ''],
    ['the end of the input (Ctrl-D)', null],
  ] as const) {
    it(`cancels on ${what}: exit 1, nothing sent, nothing written`, async () => {
      const r = await workspace();
      const before = await r.fingerprint();
      const io = terminalIo(r.dir);
      expect(await applyAnswering(io, answer)).toBe(1);
      expect(io.err()).toContain('error: apply cancelled: the plan was not approved, so nothing was sent and nothing written');
      expect(sandbox.requests()).toHaveLength(0);
      expect(await r.fingerprint()).toEqual(before);
    });
  }

  it('accepts "yes" with the spaces around it a terminal leaves', async () => {
    const io = terminalIo((await workspace()).dir);
    expect(await applyAnswering(io, '  yes ')).toBe(0);
    expect(sandbox.memberships()).toHaveLength(2);
  });

  it('shows the plan on stderr before asking when stdout carries --format json, and prints the cancelled document', async () => {
    const io = terminalIo((await workspace()).dir);
    expect(await applyAnswering(io, 'no', ['--format', 'json'])).toBe(1);
    const question = io.err().indexOf('Do you want to apply these changes?');
    expect(io.err().indexOf('+ phone 13800000001')).toBeGreaterThanOrEqual(0);
    expect(io.err().indexOf('+ phone 13800000001')).toBeLessThan(question);
    const doc = JSON.parse(io.out()) as { status: string; error: { code: string } };
    expect(doc).toMatchObject({ status: 'cancelled', complete: false, error: { code: 'NOT_APPROVED' } });
  });

  it('skips the question with --auto-approve', async () => {
    const io = terminalIo((await workspace()).dir);
    expect(await main(['node', 'groupops', 'apply', '--auto-approve'], io)).toBe(0);
    expect(io.err()).not.toContain('Enter a value');
    expect(sandbox.memberships()).toHaveLength(2);
  });

  it('asks nothing when there is nothing to apply', async () => {
    const r = await workspace();
    expect(await main(['node', 'groupops', 'apply', '--auto-approve'], terminalIo(r.dir))).toBe(0);
    const io = terminalIo(r.dir);
    expect(await main(['node', 'groupops', 'apply'], io)).toBe(0);
    expect(io.err()).not.toContain('Enter a value');
    expect(io.out()).toContain('Nothing to apply');
  });

  it('refuses by a safety limit before asking (exit 3)', async () => {
    const r = await workspace();
    expect(await main(['node', 'groupops', 'apply', '--auto-approve'], terminalIo(r.dir))).toBe(0);
    await r.write({ 'groups/vip.yaml': 'name: VIP\nmembers: []\n' });
    const io = terminalIo(r.dir);
    expect(await main(['node', 'groupops', 'apply'], io)).toBe(3);
    expect(io.err()).not.toContain('Enter a value');
    expect(io.err()).toContain('declares no memberships');
  });
});

describe('apply without a terminal', () => {
  const env = (): Record<string, string> => ({ RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url, NO_COLOR: '1' });

  it('refuses without --auto-approve or CI, saying to pass --auto-approve; nothing sent or written', async () => {
    const r = await workspace();
    const before = await r.fingerprint();
    const result = await runCli(['apply'], { cwd: r.dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: apply needs approval, and there is no terminal to ask on: run it again with --auto-approve');
    expect(result.stderr).toContain('Nothing was sent.');
    expect(sandbox.requests()).toHaveLength(0);
    expect(await r.fingerprint()).toEqual(before);
  });

  it('refuses with CI set to false', async () => {
    const result = await runCli(['apply'], { cwd: (await workspace()).dir, env: { ...env(), CI: 'false' } });
    expect(result.code).toBe(1);
    expect(sandbox.requests()).toHaveLength(0);
  });

  it('goes ahead with --auto-approve', async () => {
    const result = await runCli(['apply', '--auto-approve'], { cwd: (await workspace()).dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(sandbox.memberships()).toHaveLength(2);
  });

  it('goes ahead in CI (CI=true, as GitHub Actions sets it)', async () => {
    const result = await runCli(['apply'], { cwd: (await workspace()).dir, env: { ...env(), CI: 'true' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Enter a value');
    expect(sandbox.memberships()).toHaveLength(2);
  });
});

/** What the terminal sends for Ctrl-C: its line discipline turns it into SIGINT for the process. */
const CTRL_C = '\u0003';

describe('apply through a real pseudo-terminal', () => {
  /** Runs the built CLI under `script`, which gives it a terminal; `answer` is typed once it asks. */
  async function applyInPty(cwd: string, answer: string): Promise<{ code: number | null; output: string }> {
    // exec: the CLI is the terminal's foreground process, so Ctrl-C reaches it, not a shell around it.
    const command = `exec '${process.execPath}' '${CLI_BIN}' apply`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, TZ: 'UTC', NO_COLOR: '1', RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: sandbox.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      output += s;
      if (!answered && output.includes('Enter a value: ')) {
        answered = true;
        child.stdin.write(answer === CTRL_C ? CTRL_C : `${answer}\n`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    return { code, output };
  }

  it('asks on the terminal and applies after "yes" is typed', async () => {
    const r = await workspace();
    const { code, output } = await applyInPty(r.dir, 'yes');
    expect(code, output).toBe(0);
    expect(output).toContain("Only 'yes' will be accepted to approve.");
    expect(output).toContain('Snapshot written: .groupops/snapshot.json (2 memberships)');
    expect(sandbox.memberships()).toHaveLength(2);
  });

  it('cancels when anything else is typed', async () => {
    const r = await workspace();
    const { code, output } = await applyInPty(r.dir, 'no');
    expect(code, output).toBe(1);
    expect(output).toContain('apply cancelled');
    expect(sandbox.requests()).toHaveLength(0);
    expect(await r.exists('.groupops/snapshot.json')).toBe(false);
  });

  it('cancels on Ctrl-C at the question', async () => {
    const r = await workspace();
    const { code, output } = await applyInPty(r.dir, CTRL_C);
    expect(code, output).toBe(1);
    expect(output).toContain('interrupted before sending: nothing was sent');
    expect(output).toContain('apply cancelled');
    expect(sandbox.requests()).toHaveLength(0);
    expect(await r.exists('.groupops/snapshot.json')).toBe(false);
  });
});
