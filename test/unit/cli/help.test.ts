import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { commandsWithHelp } from '../../../src/cli/help-text.js';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd: tmpdir(), out: () => out, err: () => err };
}

async function help(...argv: string[]): Promise<string> {
  const cli = io();
  expect(await main(['node', 'groupops', ...argv], cli)).toBe(0);
  expect(cli.err()).toBe('');
  return cli.out();
}

describe('help', () => {
  it('answers -h as --help, for the program and for every command', async () => {
    expect(await help('-h')).toBe(await help('--help'));
    for (const command of commandsWithHelp()) expect(await help(...command.split(' '), '-h')).toBe(await help(...command.split(' '), '--help'));
  });

  it('lists the environment variables and the exit statuses', async () => {
    const text = await help('--help');
    for (const name of ['RABBITPRE_TOKEN', 'RABBITPRE_BASE_URL', 'CI', 'NO_COLOR', 'FORCE_COLOR', 'TERM', 'GROUPOPS_VERBOSE', 'GITHUB_TOKEN']) {
      expect(text).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    expect(text).toContain('Exit statuses:\n  0  success\n  1  error');
    expect(text).toContain('  2  plan --detailed-exitcode: the plan has changes');
    expect(text).toContain('  3  refused, nothing sent or written: apply by a safety limit');
    expect(text).toContain('-h, --help');
    expect(text).toContain('--no-color');
  });

  it('gives every command examples and its exit status', async () => {
    const listed = (await help('--help')).match(/^ {2}([a-z]+) /gm)!.map((s) => s.trim());
    const github = (await help('github', '--help')).match(/^ {2}([a-z]+) /gm)!.map((s) => `github ${s.trim()}`);
    // Every visible command (but `github` itself and help) has its own help text.
    expect([...listed.filter((c) => c !== 'github' && c !== 'help'), ...github.filter((c) => c !== 'github help')].sort()).toEqual(commandsWithHelp().sort());
    for (const command of commandsWithHelp()) {
      const text = await help(...command.split(' '), '--help');
      expect(text, command).toMatch(new RegExp(`Examples[^:]*:\\n  groupops ${command.replace(' ', ' ')}|Examples[^:]*:\\n  [A-Z_]+=\\S+ groupops ${command}`));
      expect(text, command).toMatch(/^Exit status: 0 /m);
      // The global --no-color shows in every command's help.
      expect(text, command).toContain('--no-color');
    }
  });

  it("shows apply's --auto-approve and the environment it needs", async () => {
    const text = await help('apply', '-h');
    expect(text).toContain('--auto-approve');
    expect(text).toContain('Environment: RABBITPRE_TOKEN (required), RABBITPRE_BASE_URL, CI.');
    expect(text).toContain('3 refused by a safety limit');
  });
});
