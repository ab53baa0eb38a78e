import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { FakeGitHub } from '../helpers/fake-github.js';

/** A temp folder with files; removed by `cleanup`. */
export async function tempRepo(files: Readonly<Record<string, string>>): Promise<{ dir: string; write: (path: string, text: string) => Promise<void>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'groupops-gh-'));
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  for (const [path, text] of Object.entries(files)) await write(path, text);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A group file with phone members. */
export function groupYaml(name: string, phones: readonly string[]): string {
  return [`name: ${name}`, 'category: enterprise', phones.length === 0 ? 'members: []' : 'members:', ...phones.map((p) => `  - phone: "${p}"`), ''].join('\n');
}

/** The variables GitHub Actions sets for a step, pointing octokit at the fake. */
export function actionsEnv(gh: FakeGitHub, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_RUN_ID: '4242',
    GITHUB_TOKEN: gh.token,
    NO_COLOR: '1',
    // The fake has no secondary rate limit; pacing writes a second apart would only slow the tests.
    GROUPOPS_GITHUB_THROTTLE: '0',
    ...extra,
  };
}

/** A pull_request event payload. */
export function pullRequestEvent(gh: FakeGitHub, pr: { number: number; headSha: string; fork?: boolean }): unknown {
  const base = `${gh.owner}/${gh.repo}`;
  return {
    action: 'synchronize',
    number: pr.number,
    pull_request: {
      number: pr.number,
      head: { sha: pr.headSha, ref: 'feature', repo: { full_name: pr.fork ? `someone/${gh.repo}` : base, fork: pr.fork === true } },
      base: { ref: 'main', repo: { full_name: base } },
    },
    repository: { full_name: base, default_branch: 'main' },
  };
}

/** Runs the CLI in-process and captures what it writes. */
export async function runCli(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'groupops', ...argv], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd,
  });
  return { code, stdout, stderr };
}
