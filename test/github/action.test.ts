import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_MARKER, PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { REPO_ROOT, runMain } from '../helpers/cli.js';
import { runCompositeAction, type ActionRun, type StepRun } from '../helpers/composite-action.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { actionsEnv, git, gitCommitAll, gitInit, groupYaml, mergeFeature, mirrorCommit, pullRequestEvent, pushEvent, tempRepo } from './gh-env.js';

/**
 * The groupops Action (action.yml at the repository root) run as the runner runs a composite
 * action: its steps with their expressions evaluated, in the environment of a pull_request job
 * (plan) and of a push job (apply), against the fake GitHub and the Rabbitpre sandbox. The action
 * lives in a copy of this repository's files, as a fresh checkout at a tag would, so its install
 * step really runs `npm ci` and builds the CLI there (offline: from the npm cache). The `uses:`
 * steps (actions/setup-node, actions/upload-artifact) cannot run here; the tests check whether
 * they would have run and with what.
 */

let gh: FakeGitHub;
let sb: Sandbox;
let actionPath: string;
let scratch: string;
let repo: Awaited<ReturnType<typeof tempRepo>>;
const PR = 7;

const RUN = { run_id: '4242', run_attempt: '2' };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'groupops-action-'));
  actionPath = join(scratch, 'groupops');
  // A checkout of this repository: its tracked files and new ones, never dist/ or node_modules/.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    await mkdir(dirname(join(actionPath, file)), { recursive: true });
    await cp(join(REPO_ROOT, file), join(actionPath, file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // deleted in the work tree but not yet in the index
    });
  }
  gh = await startFakeGitHub();
  sb = await startSandbox();
  repo = await tempRepo({
    // The tenant in the config, where the plan job sees it too: the snapshot records it (docs/github.md).
    '.groupops/config.yaml': `api:\n  baseUrl: ${sb.url}\n`,
    'groups/vip.yaml': groupYaml('VIP', ['18888888888', '13900000001']),
    'groups/beta.yaml': groupYaml('Beta', ['13600000001']),
  });
  const applied = await runMain(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: sb.token, RABBITPRE_BASE_URL: sb.url, NO_COLOR: '1' } });
  expect(applied.code, applied.stderr).toBe(0);
  const base = gitInit(repo.dir);
  mirrorCommit(gh, repo.dir, base);
  gh.setRef('main', base);
}, 300_000);

afterAll(async () => {
  await gh?.close();
  await sb?.close();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs the Action in the workspace with the job's environment; the npm cache stands in for the registry. */
async function runAction(
  inputs: Record<string, string>,
  event: { name: string; payload: unknown; sha: string; ref?: string },
  env: Record<string, string> = {},
): Promise<ActionRun & { summary: string }> {
  const eventPath = join(scratch, `event-${Date.now()}.json`);
  const summaryPath = `${eventPath}.summary.md`;
  await writeFile(eventPath, JSON.stringify(event.payload));
  await writeFile(summaryPath, '');
  const jobEnv = actionsEnv(gh, {
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_SHA: event.sha,
    ...(event.ref ? { GITHUB_REF_NAME: event.ref } : {}),
    GITHUB_RUN_ATTEMPT: RUN.run_attempt,
    npm_config_offline: 'true',
    ...env,
  }) as Record<string, string>;
  // The Action gets its GitHub token from the github-token input (default: github.token), not from the job.
  delete jobEnv.GITHUB_TOKEN;
  const run = await runCompositeAction(join(actionPath, 'action.yml'), {
    workspace: repo.dir,
    actionPath,
    inputs,
    env: jobEnv,
    github: { token: gh.token, repository: `${gh.owner}/${gh.repo}`, ...RUN },
    timeoutMs: 240_000,
  });
  return { ...run, summary: await readFile(summaryPath, 'utf8') };
}

const step = (run: ActionRun, name: RegExp): StepRun => {
  const found = run.steps.find((s) => name.test(s.name));
  if (!found) throw new Error(`no step ${name} in ${run.steps.map((s) => s.name).join(', ')}`);
  return found;
};
const log = (run: ActionRun) => run.steps.map((s) => `## ${s.name} (${s.skipped ?? s.code})\n${s.stdout}${s.stderr}`).join('\n');

let head = '';
let checksum = '';

describe('the groupops Action, command: plan, in a pull_request job', () => {
  it('installs and builds groupops in the action folder, plans, comments on the PR and sets its outputs', async () => {
    git(repo.dir, 'checkout', '--quiet', '-b', 'feature');
    await repo.write('groups/vip.yaml', groupYaml('VIP', ['18888888888', '13900000001', '13900000002']));
    await repo.write('groups/beta.yaml', groupYaml('Beta', []));
    head = gitCommitAll(repo.dir, 'grow the VIPs, close the beta');
    mirrorCommit(gh, repo.dir, head);
    checksum = JSON.parse((await runMain(['plan', '--format', 'json'], { cwd: repo.dir })).stdout).checksum as string;

    const run = await runAction({ command: 'plan' }, { name: 'pull_request', payload: pullRequestEvent(gh, { number: PR, headSha: head }), sha: head });
    expect(run.failed, log(run)).toBe(false);

    // setup-node would run (node-version 24); the install ran for real; then the plan.
    expect(step(run, /Set up Node/)).toMatchObject({ skipped: 'uses', uses: 'actions/setup-node@v6', with: { 'node-version': '24' } });
    expect(step(run, /Install groupops/).code).toBe(0);
    expect(step(run, /groupops github plan/).code).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'planned', checksum, add: '1', delete: '1', requests: '2', 'snapshot-commit': '' });

    const comments = gh.comments(PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(PLAN_MARKER)).toBe(true);
    expect(comments[0]!.body).toContain(`Plan checksum: \`${checksum}\``);
    expect(comments[0]!.body).toContain('139****0002');
    expect(run.summary).toContain(`Plan checksum: \`${checksum}\``);
    // A small plan fits the job summary: no plan file, so no artifact; a plan keeps no state files.
    expect(step(run, /Keep the whole plan/).skipped).toBe('if');
    expect(step(run, /Keep the state files/).skipped).toBe('if');
    // A plan sends nothing.
    expect(sb.requests().filter((r) => r.verdict === 'accepted')).toHaveLength(1);
  }, 300_000); // npm ci and a full build on a loaded 2-core machine

  it('reuses the build of the same sources on a second use in the job, and passes the inputs as options', async () => {
    const run = await runAction(
      { command: 'plan', comment: 'false', mask: 'false', groups: 'groups' },
      { name: 'pull_request', payload: pullRequestEvent(gh, { number: PR, headSha: head }), sha: head },
    );
    expect(run.failed, log(run)).toBe(false);
    expect(step(run, /Install groupops/).stdout).toContain('already installed and built in this job');
    // comment: false leaves the PR comment alone (not updated); mask: false shows the values in the summary.
    expect(gh.comments(PR)[0]!.updates).toBe(0);
    expect(run.summary).toContain('13900000002');
    expect(run.outputs.checksum).toBe(checksum);
  });

  it('refuses an unknown command or a boolean that is not true/false before running groupops', async () => {
    const event = { name: 'pull_request', payload: pullRequestEvent(gh, { number: PR, headSha: head }), sha: head };
    const bad = await runAction({ command: 'deploy' }, event);
    expect(bad.failed).toBe(true);
    const main = step(bad, /groupops github deploy/);
    expect(main.code).toBe(2);
    expect(main.stdout).toContain('::error title=groupops::the command input is "deploy": use plan (pull_request workflows) or apply');
    expect(bad.outputs.result).toBe('');
    const badBool = await runAction({ command: 'plan', comment: 'no' }, event);
    expect(step(badBool, /groupops github plan/).stdout).toContain('the comment input is "no": use true or false');
    expect(gh.comments(PR)).toHaveLength(1);
  });
});

describe('the groupops Action, command: apply, in a push job on main', () => {
  let merge = '';

  it('applies the merged change, commits the snapshot, comments on the PR and sets its outputs', async () => {
    merge = mergeFeature(gh, repo.dir, PR, [head]);

    // As groups-apply.yml passes them on a push: the dispatch inputs are empty.
    const run = await runAction(
      { command: 'apply', 'rabbitpre-token': sb.token, 'allow-mass-delete': '', 'expect-plan': '' },
      { name: 'push', payload: pushEvent(gh, [merge]), sha: merge, ref: 'main' },
      { RABBITPRE_BASE_URL: sb.url },
    );
    expect(run.failed, log(run)).toBe(false);

    const held = sb
      .memberships()
      .map((m) => `${m.group.name}:${m.person.identities[0]!.value}`)
      .sort();
    expect(held).toEqual(['VIP:13900000001', 'VIP:13900000002', 'VIP:18888888888']);
    const snapshotCommit = gh.ref('main')!;
    expect(gh.commit(snapshotCommit)!.parents).toEqual([merge]);
    expect(run.outputs).toMatchObject({ result: 'applied', checksum, add: '1', delete: '1', requests: '2', acknowledged: '2', 'snapshot-commit': snapshotCommit });
    expect(gh.comments(PR).find((c) => c.body.startsWith(APPLY_MARKER))!.body).toContain('### groupops apply: ✅ applied');
    expect(run.summary).toContain('### groupops apply: ✅ applied');
    expect(step(run, /Keep the state files/).skipped).toBe('if');
    // The token went to groupops and nowhere into the log.
    expect(log(run)).not.toContain(sb.token);
    expect(log(run)).not.toContain(gh.token);
  });

  it('a refused apply fails the step with exit 3 and keeps the state files as the artifact groupops-state-RUN-ATTEMPT', async () => {
    const before = sb.requests().length;
    const run = await runAction(
      { command: 'apply', 'rabbitpre-token': sb.token, 'expect-plan': 'a'.repeat(64), 'allow-mass-delete': 'false' },
      { name: 'workflow_dispatch', payload: { repository: { default_branch: 'main' } }, sha: merge, ref: 'main' },
      { RABBITPRE_BASE_URL: sb.url },
    );
    expect(run.failed).toBe(true);
    const apply = step(run, /groupops github apply/);
    expect(apply.code).toBe(3);
    expect(apply.stdout + apply.stderr).toContain('refusing to apply: the plan about to be applied has checksum');
    expect(run.outputs.result).toBe('refused');
    expect(sb.requests().length).toBe(before);
    const keep = step(run, /Keep the state files/);
    expect(keep).toMatchObject({ skipped: 'uses', uses: 'actions/upload-artifact@v6' });
    expect(keep.with).toMatchObject({ name: `groupops-state-${RUN.run_id}-${RUN.run_attempt}`, 'include-hidden-files': 'true', 'if-no-files-found': 'ignore' });
    expect(keep.with!.path).toContain('./.groupops/');
  });

  it('an apply input that is not true/false fails before groupops runs, and the state artifact still names only the state folder', async () => {
    const before = sb.requests().length;
    const run = await runAction(
      { command: 'apply', 'rabbitpre-token': sb.token, 'allow-mass-delete': 'yes' },
      { name: 'workflow_dispatch', payload: { repository: { default_branch: 'main' } }, sha: merge, ref: 'main' },
      { RABBITPRE_BASE_URL: sb.url },
    );
    expect(run.failed).toBe(true);
    const apply = step(run, /groupops github apply/);
    expect(apply.code).toBe(2);
    expect(apply.stdout).toContain('::error title=groupops::the allow-mass-delete input is "yes": use true or false');
    expect(sb.requests().length).toBe(before);
    const paths = step(run, /Keep the state files/)
      .with!.path!.split('\n')
      .filter(Boolean);
    expect(paths).toEqual(['./.groupops/', './.groupops/']);
  });

  it('gives the Rabbitpre token to apply only: a plan never gets it, even when it is given', async () => {
    const event = { name: 'pull_request', payload: pullRequestEvent(gh, { number: PR, headSha: merge }), sha: merge };
    const plan = await runAction({ command: 'plan', 'rabbitpre-token': 'secret-value-123', comment: 'false' }, event, { RABBITPRE_TOKEN: 'job-level-secret' });
    expect(plan.failed, log(plan)).toBe(false);
    expect(step(plan, /groupops github plan/).env).toMatchObject({ RABBITPRE_TOKEN: '', GITHUB_TOKEN: gh.token });
    // apply: the input, else the job's variable.
    const dispatch = { name: 'workflow_dispatch', payload: { repository: { default_branch: 'main' } }, sha: merge, ref: 'main' };
    const fromEnv = await runAction({ command: 'apply' }, dispatch, { RABBITPRE_TOKEN: sb.token, RABBITPRE_BASE_URL: sb.url });
    expect(fromEnv.failed, log(fromEnv)).toBe(false);
    expect(step(fromEnv, /groupops github apply/).env?.RABBITPRE_TOKEN).toBe(sb.token);
    expect(fromEnv.outputs).toMatchObject({ result: 'unchanged', add: '0', delete: '0', requests: '0', acknowledged: '0', 'snapshot-commit': '' });
  });
});
