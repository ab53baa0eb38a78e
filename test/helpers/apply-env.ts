import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { groupKey, identityKey, type Category, type GroupRef, type MembershipState } from '../../src/core/model.js';
import type { Sandbox, SandboxIdentity, SandboxMembership } from '../../src/sandbox/server.js';
import { validateGroups } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { CLI_BIN, REPO_ROOT, runMain, type CliResult, type MainRun } from './cli.js';

export type { CliResult } from './cli.js';

export const STATE = '.groupops/snapshot.json';

/** Starts the built CLI; the caller may kill it. The environment is minimal: no inherited tokens. */
export function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', CI: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Runs the command line in this process (runMain), as the end-to-end apply tests see it: in CI (no
 * terminal, masked output) without colours, and with a minimal environment (no inherited tokens).
 * Only a test that kills or signals the CLI needs the built one (spawnCli).
 */
export function runGroupops(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<MainRun> {
  return runMain(args, { cwd: options.cwd, env: { NO_COLOR: '1', CI: 'true', ...options.env } });
}

/** The environment that points apply at a sandbox. */
export function sandboxEnv(sandbox: Sandbox, token = sandbox.token): Record<string, string> {
  return { RABBITPRE_TOKEN: token, RABBITPRE_BASE_URL: sandbox.url };
}

/** A temporary git repository with files, committed. */
export interface TempRepo {
  readonly dir: string;
  write(files: Record<string, string | null>): Promise<void>;
  commit(message: string): void;
  head(): string;
  snapshotText(): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/** Creates a temp git repo holding `files` (or a copy of the shipped groups/ when `shippedGroups`). */
export async function createRepo(files: Record<string, string>, options: { shippedGroups?: boolean } = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'groupops-e2e-apply-'));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=groupops tests', '-c', 'user.email=tests@groupops.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  if (options.shippedGroups) await cp(join(REPO_ROOT, 'groups'), join(dir, 'groups'), { recursive: true });
  const write = async (more: Record<string, string | null>): Promise<void> => {
    for (const [path, text] of Object.entries(more)) {
      const full = join(dir, path);
      if (text === null) await rm(full, { force: true, recursive: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, text);
      }
    }
  };
  await write(files);
  const commit = (message: string): void => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
  };
  commit('desired state');
  return {
    dir,
    write,
    commit,
    head: () => git('rev-parse', 'HEAD'),
    snapshotText: async () => {
      try {
        return await readFile(join(dir, STATE), 'utf8');
      } catch {
        return undefined;
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A group file: an enterprise group, or a department group with a wxDeptId. */
export function groupYaml(name: string, phones: readonly string[], wxDeptId?: string): string {
  const head = wxDeptId === undefined ? `name: ${name}\ncategory: enterprise\n` : `name: ${name}\ncategory: department\ndepartment:\n  wxDeptId: "${wxDeptId}"\n`;
  return phones.length === 0 ? `${head}members: []\n` : `${head}members:\n${phones.map((p) => `  - phone: "${p}"\n`).join('')}`;
}

/** Phone numbers 138NNNNNNNN for [from, to). */
export function phones(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`138${String(i).padStart(8, '0')}`);
  return out;
}

/** "groupKey|memberKey" for every membership of a state (the member key is the first identity). */
export function stateKeys(state: MembershipState): Set<string> {
  const out = new Set<string>();
  for (const [gk, g] of state) for (const m of g.members.values()) out.add(`${gk}|${identityKey(m.identities[0]!)}`);
  return out;
}

/** The memberships the snapshot on disk records, its pending journal folded in (what the next apply sees). */
export async function snapshotKeys(repo: TempRepo): Promise<Set<string>> {
  return stateKeys((await readSnapshot(nodeFileSystem(), join(repo.dir, STATE))).snapshot.applied);
}

function sandboxGroupKey(m: SandboxMembership): string {
  const category: Category = m.group.categoryType === '2' ? 'department' : 'enterprise';
  const group: GroupRef = m.group.department ? { name: m.group.name, category, department: m.group.department } : { name: m.group.name, category };
  return groupKey(group);
}

/** What the sandbox holds (user and customer groups), per group: the identity keys of its members' persons, and the membership count. */
export function sandboxHoldings(sandbox: Sandbox): { count: number; has(key: string): boolean } {
  const byGroup = new Map<string, Set<string>>();
  const memberships = sandbox.memberships();
  const customers = sandbox.customerMemberships();
  const hold = (gk: string, identities: readonly SandboxIdentity[]): void => {
    let set = byGroup.get(gk);
    if (!set) byGroup.set(gk, (set = new Set()));
    for (const id of identities) set.add(identityKey(id));
  };
  for (const m of memberships) hold(sandboxGroupKey(m), m.person.identities);
  // Customer groups are kept apart on the platform; in the model they are groups of kind customer.
  for (const m of customers) hold(groupKey({ name: m.group, category: 'enterprise', kind: 'customer' }), m.customer.identities);
  return {
    count: memberships.length + customers.length,
    has: (key) => {
      const [gk, mk] = key.split('|') as [string, string];
      return byGroup.get(gk)?.has(mk) ?? false;
    },
  };
}

/** Keys of `keys` the sandbox does not hold. */
export function notHeld(sandbox: Sandbox, keys: Iterable<string>): string[] {
  const held = sandboxHoldings(sandbox);
  return [...keys].filter((k) => !held.has(k));
}

/** True when the sandbox holds exactly these memberships (one person per member). */
export function holdsExactly(sandbox: Sandbox, keys: Set<string>): boolean {
  return sandboxHoldings(sandbox).count === keys.size && notHeld(sandbox, keys).length === 0;
}

/** The memberships the repo's group files declare. */
export async function desiredKeys(repo: TempRepo): Promise<Set<string>> {
  return stateKeys((await validateGroups(await openWorkspace({ cwd: repo.dir }))).state);
}

/** The operation of each request the sandbox saw, in arrival order. */
export function requestOps(sandbox: Sandbox, fromSeq = 0): string[] {
  return sandbox
    .requests()
    .filter((r) => r.seq > fromSeq)
    .map((r) => String((r.body as { publicParams?: { optType?: unknown } } | undefined)?.publicParams?.optType));
}
