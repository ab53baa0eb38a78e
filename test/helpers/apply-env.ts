import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { groupKey, identityKey, type Category, type GroupRef, type MembershipState } from '../../src/core/model.js';
import type { Sandbox, SandboxIdentity, SandboxMembership } from '../../src/sandbox/server.js';
import { validateGroups } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { REPO_ROOT, runMain, startCli, type CliResult, type MainRun } from './cli.js';
import { createTempRepo, type TempRepo as BaseTempRepo } from './temp-repo.js';

export type { CliResult } from './cli.js';

export const STATE = '.groupops/snapshot.json';

/** Starts the built CLI (startCli) in CI without colours; the caller may kill it. The environment is minimal: no inherited tokens. */
export function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  const running = startCli(args, { cwd: options.cwd, env: { NO_COLOR: '1', CI: 'true', ...options.env } });
  return { child: running.child, done: running.done };
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

/** A temporary git repository with files, committed (createTempRepo), and what apply tests read of it. */
export type TempRepo = BaseTempRepo & {
  /** The commit HEAD names. */
  head(): string;
  /** The snapshot file's text; undefined when there is none. */
  snapshotText(): Promise<string | undefined>;
};

/** Creates a temp git repo holding `files` (and a copy of the shipped groups/ when `shippedGroups`), committed. */
export async function createRepo(files: Record<string, string>, options: { shippedGroups?: boolean } = {}): Promise<TempRepo> {
  const repo = await createTempRepo({ files, git: true, prefix: 'groupops-e2e-apply-', ...(options.shippedGroups ? { copy: { groups: join(REPO_ROOT, 'groups') } } : {}) });
  return {
    ...repo,
    head: () => repo.git('rev-parse', 'HEAD'),
    snapshotText: () => repo.read(STATE).catch(() => undefined),
  };
}

/** A group file: an enterprise group, or a department group with a wxDeptId. */
export function groupYaml(name: string, phones: readonly string[], wxDeptId?: string): string {
  const head = wxDeptId === undefined ? `name: ${name}\ncategory: enterprise\n` : `name: ${name}\ncategory: department\ndepartment:\n  wxDeptId: "${wxDeptId}"\n`;
  return phones.length === 0 ? `${head}members: []\n` : `${head}members:\n${phones.map((p) => `  - phone: "${p}"\n`).join('')}`;
}

/** Phone numbers PPPNNNNNNNN (prefix 138 unless given) for NNNNNNNN in [from, to). */
export function phones(from: number, to: number, prefix = '138'): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}${String(i).padStart(8, '0')}`);
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
