import { describe, expect, it } from 'vitest';
import { buildApplyReport, type ApplyReport } from '../../src/core/apply-report.js';
import { buildPlan } from '../../src/core/plan.js';
import { exitCodeForReport } from '../../src/cli/exit-codes.js';
import { UnsafePlanError } from '../../src/errors/index.js';
import type { ActionsContext } from '../../src/github/actions-context.js';
import { runGitHubApply, type GitHubApplyInput } from '../../src/github/apply-flow.js';
import { GitHubSetupError } from '../../src/github/github-error.js';
import { APPLY_MARKER } from '../../src/github/sticky-comment.js';
import { MemoryGitHub, MemoryStep } from '../helpers/memory-github.js';
import { enterprise, phones, state } from '../unit/core/builders.js';

// The logic of `groupops github apply` against the in-memory GitHub port, with the apply's report
// given: the preflight, the snapshot commit and its conflicts, the comments and the exit status.
// test/github/apply-flow.test.ts runs the whole step against the sandbox and the fake GitHub server.

const SNAP = '.groupops/snapshot.json';
const plan = buildPlan(state([enterprise('VIP'), phones(3)]), state());
const applied: ApplyReport = {
  status: 'applied',
  plan,
  requests: [{ op: 'add', items: 3, batchId: '15314513451345123', status: 'accepted', failed: [] }],
  recovered: 0,
  snapshot: { path: SNAP, written: true, memberships: 3 },
};

/** A repository whose main is one commit with the old snapshot, merged by PR 5. */
function setUp(): {
  gh: MemoryGitHub;
  step: MemoryStep;
  base: string;
  input: (over?: Partial<GitHubApplyInput> & { report?: ApplyReport; newSnapshot?: string }) => GitHubApplyInput & { applied: () => boolean };
} {
  const gh = new MemoryGitHub();
  const base = gh.seed({ 'groups/vip.yaml': 'name: VIP\n', [SNAP]: '{"old":true}\n', 'README.md': 'hi\n' });
  gh.branches.set('main', base);
  gh.pulls.push({ number: 5, baseRef: 'main', commits: [base], merged: true });
  const step = new MemoryStep();
  const input = (over: Partial<GitHubApplyInput> & { report?: ApplyReport; newSnapshot?: string } = {}) => {
    let snapshot = '{"old":true}\n';
    let ran = false;
    const ctx: ActionsContext = {
      repo: gh.repo,
      apiUrl: 'https://api.github.test',
      eventName: 'push',
      event: { after: base, commits: [{ id: base }] },
      sha: base,
      refName: 'main',
      stepSummaryPath: '/summary.md',
      runUrl: 'https://github.test/acme/groups/actions/runs/4242',
      runId: '4242',
      runAttempt: '1',
      workspace: '/repo',
    };
    return {
      ctx,
      github: gh,
      branch: 'main',
      expectedParent: base,
      snapshotPath: SNAP,
      groupsPath: 'groups',
      readSnapshot: async () => snapshot,
      mask: true,
      apply: async () => {
        ran = true;
        if (over.newSnapshot !== undefined) snapshot = over.newSnapshot;
        return over.report ?? applied;
      },
      step,
      applied: () => ran,
      ...over,
    };
  };
  return { gh, step, base, input };
}

describe('runGitHubApply', () => {
  it('commits the new snapshot on the applied commit with every batch ID, comments on the merged PR, exit 0', async () => {
    const { gh, step, base, input } = setUp();
    const { report, pulls } = await runGitHubApply(input({ newSnapshot: '{"new":true}\n' }));
    expect(exitCodeForReport(report)).toBe(0);
    const head = gh.branches.get('main')!;
    expect(gh.commits.get(head)!.parents).toEqual([base]);
    expect(gh.commits.get(head)!.message).toMatch(
      /^groupops: apply [0-9a-f]{7} \(1 request\)\n[\s\S]*- add 3 items: 15314513451345123\n[\s\S]*Groupops-Run: https:\/\/github\.test\/acme\/groups\/actions\/runs\/4242\n$/,
    );
    expect(gh.fileAt(head, SNAP)).toBe('{"new":true}\n');
    expect(gh.fileAt(head, 'README.md')).toBe('hi\n');
    expect(pulls).toEqual([{ number: 5, url: 'https://github.test/acme/groups/pull/5' }]);
    const comment = gh.commentsOf(5)[0]!.body;
    expect(comment.startsWith(`${APPLY_MARKER}\n### groupops apply: ✅ applied`)).toBe(true);
    expect(comment).toContain(`Snapshot committed as \`${head.slice(0, 7)}\`.`);
    expect(step.summary).toContain('### groupops apply: ✅ applied');
  });

  it('checks that the token can write contents before applying: a read-only token fails with nothing sent', async () => {
    const { gh, input } = setUp();
    gh.contentWritesFail = 403;
    const i = input({ newSnapshot: '{"new":true}\n' });
    const err = await runGitHubApply(i).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubSetupError);
    expect((err as Error).message).toContain('the GitHub token cannot commit the snapshot to main');
    expect((err as Error).message).toContain('HTTP 403 (Resource not accessible by integration)');
    expect((err as Error).message).toContain('`permissions: contents: write`');
    expect((err as Error).message).toContain('nothing was sent to Rabbitpre');
    expect(i.applied()).toBe(false);
  });

  it('checks that the token can read the branch before applying: a bad token fails with nothing sent', async () => {
    const { gh, input } = setUp();
    gh.everythingFails = 401;
    const i = input();
    const err = await runGitHubApply(i).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/cannot commit the snapshot to main \(.*HTTP 401 \(Bad credentials\)\): check the GITHUB_TOKEN/);
    expect(i.applied()).toBe(false);
  });

  it('the preflight reads the branch and stores only an empty blob, which no commit refers to', async () => {
    const { gh, input } = setUp();
    await runGitHubApply(input({ report: { ...applied, status: 'unchanged', requests: [] } }));
    expect([...gh.blobs.values()]).toEqual(['']);
    expect(gh.calls.slice(0, 2)).toEqual(['branchHead main', 'createBlob']);
  });

  it('re-plans the commit once on a branch that moved without touching the snapshot', async () => {
    const { gh, base, input } = setUp();
    const other = gh.seed({ 'groups/vip.yaml': 'name: VIP\n', [SNAP]: '{"old":true}\n', 'README.md': 'docs\n' }, [base]);
    gh.beforeNextMove(() => gh.branches.set('main', other));
    const { report } = await runGitHubApply(input({ newSnapshot: '{"new":true}\n' }));
    expect(exitCodeForReport(report)).toBe(0);
    const head = gh.branches.get('main')!;
    expect(gh.commits.get(head)!.parents).toEqual([other]);
    expect(gh.fileAt(head, 'README.md')).toBe('docs\n');
    expect(gh.commentsOf(5)[0]!.body).toContain(`(the branch had moved; committed on top of \`${other.slice(0, 7)}\`)`);
  });

  it('refuses to overwrite a snapshot another apply committed: the report says so, exit 1', async () => {
    const { gh, base, step, input } = setUp();
    const other = gh.seed({ [SNAP]: '{"someone":"else"}\n' }, [base]);
    gh.beforeNextMove(() => gh.branches.set('main', other));
    const { report } = await runGitHubApply(input({ newSnapshot: '{"new":true}\n' }));
    expect(exitCodeForReport(report)).toBe(1);
    expect(gh.branches.get('main')).toBe(other);
    expect(step.log).toMatch(/^::error::groupops: the snapshot could not be committed: the branch main moved/m);
    const body = gh.commentsOf(5)[0]!.body;
    expect(body).toContain('### groupops apply: ✅ applied');
    expect(body).toContain('The snapshot could not be committed');
    expect(body).toContain('**Next:** re-run the workflow');
  });

  it('commits nothing when there was nothing to apply', async () => {
    const { gh, base, step, input } = setUp();
    const { report } = await runGitHubApply(input({ report: { ...applied, status: 'unchanged', requests: [], snapshot: { path: SNAP, written: false, memberships: 3 } } }));
    expect(exitCodeForReport(report)).toBe(0);
    expect(gh.branches.get('main')).toBe(base);
    expect(step.log).toContain('The snapshot is unchanged: nothing to commit.');
    expect(gh.commentsOf(5)[0]!.body).toContain('### groupops apply: ✅ nothing to apply');
  });

  it('reports a refusal on the PR with the override of the workflow, commits nothing, exit 3', async () => {
    const { gh, base, step, input } = setUp();
    const refused = buildApplyReport({
      snapshotPath: SNAP,
      plan,
      error: new UnsafePlanError('refusing to apply: the plan deletes 30 of 30 applied memberships (100%), more than the limit.', 'run again with --allow-mass-delete'),
    });
    const { report } = await runGitHubApply(input({ report: refused }));
    expect(exitCodeForReport(report)).toBe(3);
    expect(gh.branches.get('main')).toBe(base);
    expect(step.log).toMatch(/^::error::groupops apply refused: refusing to apply: the plan deletes 30 of 30/m);
    const body = gh.commentsOf(5)[0]!.body;
    expect(body).toContain('### groupops apply: ⛔ refused by a safety limit');
    expect(body).toContain('with the override it names (*allow-mass-delete*)');
  });

  it('warns, and still succeeds, when the token may not comment on the merged PR', async () => {
    const { gh, step, input } = setUp();
    gh.commentWritesFail = 403;
    const { report } = await runGitHubApply(input({ newSnapshot: '{"new":true}\n' }));
    expect(exitCodeForReport(report)).toBe(0);
    expect(step.log).toMatch(/^::warning::groupops: cannot comment on #5: Resource not accessible by integration; give the job `permissions: pull-requests: write`$/m);
  });
});
