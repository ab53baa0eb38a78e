import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { parse, type HTMLElement } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { GroupRef, Member } from '../../src/core/model.js';
import { buildPlan, type Plan } from '../../src/core/plan.js';
import { safetyVerdict, type ReviewedPlan } from '../../src/core/safety.js';
import { InvalidInputError } from '../../src/errors/index.js';
import type { ActionsContext } from '../../src/github/actions-context.js';
import { GitHubSetupError } from '../../src/github/github-error.js';
import { runPrPlan, type PrPlanInput } from '../../src/github/pr-plan.js';
import { PLAN_MARKER } from '../../src/github/sticky-comment.js';
import { MemoryGitHub, MemoryStep } from '../helpers/memory-github.js';
import { department, enterprise, member, openid, phone, phones, state, unionid } from '../unit/core/builders.js';

// The logic of `groupops github plan` against the in-memory GitHub port (the octokit adapter has its
// contract tests against the fake GitHub server; test/github/pr-plan.test.ts runs the whole step).

const ctx = (over: Partial<ActionsContext> = {}): ActionsContext => ({
  repo: { owner: 'acme', repo: 'groups' },
  apiUrl: 'https://api.github.test',
  eventName: 'pull_request',
  event: { pull_request: { number: 12, head: { sha: 'a'.repeat(40), repo: { full_name: 'acme/groups' } }, base: { ref: 'main', repo: { full_name: 'acme/groups' } } } },
  sha: 'a'.repeat(40),
  refName: 'feature',
  stepSummaryPath: '/summary.md',
  runUrl: 'https://github.test/acme/groups/actions/runs/4242',
  runId: '4242',
  runAttempt: '2',
  workspace: '/repo',
  ...over,
});

function run(reviewed: ReviewedPlan | (() => Promise<ReviewedPlan>), over: Partial<PrPlanInput> & { gh?: MemoryGitHub; step?: MemoryStep } = {}) {
  const gh = over.gh ?? new MemoryGitHub();
  const step = over.step ?? new MemoryStep();
  const result = runPrPlan({
    ctx: ctx(),
    cwd: '/repo',
    comment: true,
    mask: () => true,
    github: () => gh,
    plan: typeof reviewed === 'function' ? reviewed : async () => reviewed,
    step,
    ...over,
  });
  return { gh, step, result };
}

/** The HTML GitHub would make of the Markdown (CommonMark + GFM tables, raw HTML kept). */
function html(markdown: string): HTMLElement {
  // <pre> parsed as elements (node-html-parser keeps it as raw text by default), so its <code> is found.
  return parse(micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] }), { blockTextElements: { script: true, style: true } });
}

const customers: GroupRef = { name: '会员', category: 'enterprise', kind: 'customer' };

/**
 * A mixed plan: adds and deletes, a member whose second phone changed to one that masks alike, a
 * removed group file (30 memberships), a department group and a customer group; 31 deletes of 45
 * applied memberships is over the default limits (25% and 20).
 */
function mixedPlan(): ReviewedPlan {
  const person = (second: string) => member(unionid('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'), phone(second));
  const applied = state(
    [enterprise('VIP客户'), [member(phone('18888888888')), person('13900000000'), ...phones(12, 100)]],
    [enterprise('Beta testers'), phones(30, 200)],
    [department('研发部', '1001'), [member(phone('13500000004'))]],
  );
  const desired = state(
    [enterprise('VIP客户'), [person('13911110000'), member(phone('13700000001')), ...phones(12, 100)]],
    [department('研发部', '1001'), [member(phone('13500000004')), member(phone('13500000005'))]],
    [customers, [member(phone('15800000001'))]],
  );
  const plan = buildPlan(desired, applied);
  const safety = safetyVerdict({ plan, appliedMemberships: 45, desired: { dir: 'groups', folderExists: true, memberships: 17 } }, { maxDeletePercent: 25, maxDeleteCount: 20, allowMassDelete: false });
  return { plan, safety };
}

describe('the PR comment and job summary of a mixed plan, rendered as GitHub renders Markdown', () => {
  it('shows members, changed identities, the removed file, both kinds of group and the refusal a reviewer must see', async () => {
    const { gh, step, result } = run(mixedPlan());
    expect((await result).valid).toBe(true);
    const comment = gh.commentsOf(12)[0]!.body;
    expect(comment.startsWith(`${PLAN_MARKER}\n### groupops plan`)).toBe(true);
    for (const markdown of [comment, step.summary!]) {
      const doc = html(markdown);
      const text = doc.text;
      // No identity value in full, anywhere.
      for (const raw of ['18888888888', '13900000000', '13911110000', '13700000001', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o']) expect(markdown).not.toContain(raw);

      // The summary table: memberships, items and requests per operation.
      const rows = doc.querySelectorAll('table tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
      expect(rows).toEqual([
        ['➖ delete', '31', '31', '1'],
        ['➕ add', '4', '4', '2'],
      ]);

      // The verdict: refused, by which rule, with the numbers, and the override of the workflow.
      const verdict = doc.querySelectorAll('p').find((p) => p.text.includes('would be refused'))!;
      expect(verdict.text).toContain(
        'The apply on merge would be refused by a safety limit: the plan deletes 31 of 45 applied memberships (68.9%), more than 25% of them and more than 20 (the share limit: config safety.maxDeletePercent and safety.maxDeleteCount)',
      );
      const override = doc.querySelectorAll('p').find((p) => p.text.startsWith('To apply it on purpose'))!;
      expect(override.text).toContain('run the groups-apply workflow by hand');
      expect(override.querySelector('strong')!.text).toBe('To apply it on purpose:');
      expect(override.text).toContain('allow-mass-delete');
      expect(override.querySelector('code')!.text).toBe('safety:');

      // The removed group file is called out at the top, and on its section.
      const removed = doc.querySelectorAll('p').find((p) => p.text.includes('group file removed'))!;
      expect(removed.text).toContain('1 group file removed: Beta testers (enterprise) (−30)');
      expect(removed.text).toContain('the group itself stays on the platform, empty');

      // One section per group: short ones open, the long removed group collapsed.
      const sections = doc.querySelectorAll('details').map((d) => ({ summary: d.querySelector('summary')!.text, open: d.hasAttribute('open') }));
      expect(sections).toEqual([
        { summary: '研发部 (department, wxDeptId 1001): +1 −0', open: true },
        { summary: 'Beta testers (enterprise): +0 −30 · group file removed', open: false },
        { summary: 'VIP客户 (enterprise): +2 −1', open: true },
        { summary: '会员 (customer group): +1 −0', open: true },
      ]);
      const beta = doc.querySelectorAll('details')[1]!;
      expect(beta.querySelector('blockquote')!.text).toContain('No group file declares this group any more: all its memberships are deleted. The group itself stays on the platform, empty.');

      // The changed member as a real line diff, saying which identity changed though both values mask alike.
      const vip = doc.querySelectorAll('details')[2]!;
      expect(vip.querySelector('pre code')!.getAttribute('class')).toBe('language-diff');
      expect(vip.querySelector('pre code')!.text.split('\n')).toEqual([
        '- phone 188****8888',
        '+ phone 137****0001',
        '@@ unionid oUp****eS6o: phone value changed; re-sent as an add @@',
        '  unionid oUp****eS6o',
        '- phone 139****0000',
        '+ phone 139****0000  (value changed)',
        '',
      ]);
      expect(text).toContain('@@ identities changed under the same key: the member is re-sent as an add (1 of the +2)');
      // Only the structure groupops writes is HTML.
      for (const tag of markdown.match(/<\/?[a-z]+[^>]*>/gi)!) expect(['<details open>', '<details>', '<summary>', '</summary>', '</details>', '<sub>', '</sub>']).toContain(tag);
    }
    // The comment says for which commit and run it was made.
    expect(html(comment).querySelector('sub')!.text).toBe('Planned for aaaaaaa by this run. Applied when merged into main. This comment is updated on every push.');
  });

  it('says when the apply on merge will go ahead', async () => {
    const plan = buildPlan(state([enterprise('A'), phones(3)]), state([enterprise('A'), phones(2, 1)]));
    const { step, result } = run({ plan, safety: { deletes: 1, applied: 2 } });
    await result;
    const doc = html(step.summary!);
    expect(doc.querySelectorAll('p').some((p) => p.text === '✅ Within the safety limits: the apply on merge will go ahead (it deletes 1 membership of 2 applied).')).toBe(true);
  });
});

describe('the sticky comment', () => {
  it('is created once and updated in place on the next push; an unchanged plan writes nothing', async () => {
    const gh = new MemoryGitHub();
    const plan = (n: number): ReviewedPlan => ({ plan: buildPlan(state([enterprise('A'), phones(n)]), state()) });
    await run(plan(2), { gh }).result;
    await run(plan(3), { gh }).result;
    expect(gh.commentsOf(12)).toHaveLength(1);
    expect(gh.commentsOf(12)[0]!.updates).toBe(1);
    const writes = gh.calls.filter((c) => !c.startsWith('list')).length;
    const again = await run(plan(3), { gh }).result;
    expect(again.comment?.outcome).toBe('unchanged');
    expect(gh.calls.filter((c) => !c.startsWith('list')).length).toBe(writes);
  });

  it('falls back to the job summary with a notice when a fork PR token may not comment', async () => {
    const gh = new MemoryGitHub();
    gh.commentWritesFail = 403;
    const fork = ctx({ event: { pull_request: { number: 12, head: { sha: 'b'.repeat(40), repo: { full_name: 'someone/groups' } }, base: { ref: 'main', repo: { full_name: 'acme/groups' } } } } });
    const { step, result } = run({ plan: buildPlan(state([enterprise('A'), phones(2)]), state()) }, { gh, ctx: fork });
    expect((await result).valid).toBe(true);
    expect(step.log).toMatch(/^::notice::groupops: the plan is in the job summary only: this PR comes from a fork/m);
    expect(step.summary).toContain('The plan is not posted as a PR comment: this PR comes from a fork');
    expect(step.summary).toContain('**Plan: 2 to add, 0 to delete, in 1 request.**');
  });

  it('without a token: the summary still holds the plan, and the step reports the setup error', async () => {
    const { step, result } = run(
      { plan: buildPlan(state([enterprise('A'), phones(2)]), state()) },
      {
        github: () => {
          throw new GitHubSetupError('GITHUB_TOKEN is not set: pass it to the step');
        },
      },
    );
    const r = await result;
    expect(r.setupError?.message).toContain('GITHUB_TOKEN is not set');
    expect(step.summary).toContain('The plan is not posted as a PR comment: `GITHUB_TOKEN` is not set for this step.');
    expect(step.summary).toContain('**Plan: 2 to add, 0 to delete, in 1 request.**');
  });
});

describe('input that cannot be planned', () => {
  it('names what is invalid: a corrupt snapshot is not "the group files are invalid"', async () => {
    const { gh, step, result } = run(async () => {
      throw new InvalidInputError([{ file: '.groupops/snapshot.json', line: 5, column: 1, message: 'the snapshot is not valid JSON' }], 'the snapshot cannot be read');
    });
    const r = await result;
    expect(r.valid).toBe(false);
    const body = gh.commentsOf(12)[0]!.body;
    expect(body).toContain('❌ **The snapshot cannot be read**: 1 problem in 1 file.');
    expect(body).not.toContain('group files are invalid');
    expect(step.log).toContain('::error file=.groupops/snapshot.json,line=5,col=1,title=groupops::the snapshot is not valid JSON');
    expect(step.log).toContain('groupops: 1 problem: the snapshot cannot be read; nothing was planned.');
  });
});

describe('long plans', () => {
  /** `groups` groups of `n` members each, all to add. */
  const bigPlan = (groups: number, n: number): Plan =>
    buildPlan(state(...Array.from({ length: groups }, (_, g): [GroupRef, ReturnType<typeof phones>] => [enterprise(`Big ${String(g).padStart(3, '0')}`), phones(n, g * n)])), state());

  it('cuts the comment to fit and points to the job summary, which lists every change', async () => {
    const { gh, step, result } = run({ plan: bigPlan(40, 150) });
    const r = await result;
    expect(r.truncated).toBe(true);
    const body = gh.commentsOf(12)[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('# … and 50 more changes in this group: the job summary lists every change');
    expect(body).toMatch(
      /> ⚠️ \*\*The plan is cut here\*\*: a PR comment holds at most 65,536 characters\. The full plan is in the job summary of \[this run\]\(https:\/\/github\.test\/acme\/groups\/actions\/runs\/4242\)\.\n$/,
    );
    // The summary lists all 6,000 changes: no cut, no artifact.
    expect(step.summary!.match(/^\+ phone /gm)).toHaveLength(6000);
    expect(step.summary).not.toContain('cut here');
    expect(r.planJson).toBeUndefined();
    expect(step.files.size).toBe(0);
  });

  it('writes the full JSON plan for the artifact when even the job summary (1 MiB) cannot hold it, and links it', async () => {
    // Members with an openid, platform and appid: lines of about 80 bytes, 16,000 of them.
    const wide = (g: number): Member[] => Array.from({ length: 1000 }, (_, i) => member(openid(`o6_bmjrPTlm6_2sgVt7hM${String(g * 1000 + i).padStart(7, '0')}`, 'wx1234567890abcdef')));
    const plan = buildPlan(state(...Array.from({ length: 16 }, (_, g): [GroupRef, Member[]] => [enterprise(`Wide ${g}`), wide(g)])), state());
    const { step, result } = run({ plan });
    const r = await result;
    expect(Buffer.byteLength(step.summary!, 'utf8')).toBeLessThanOrEqual(1024 * 1024);
    expect(step.summary).toContain(
      '> ⚠️ **The plan is cut here**: a job summary holds at most 1 MiB. The full plan (JSON, identity values masked) is the artifact `groupops-plan-4242-2` of [this run](https://github.test/acme/groups/actions/runs/4242#artifacts).',
    );
    expect(r.planJson).toBe('/runner/temp/groupops-plan-4242-2.json');
    const doc = JSON.parse(step.files.get(r.planJson!)!) as { formatVersion: string; summary: { add: number }; changes: { member: { identities: { value: string }[] } }[] };
    expect(doc.summary.add).toBe(16_000);
    expect(doc.changes).toHaveLength(16_000);
    expect(doc.changes[0]!.member.identities[0]!.value).toBe('o6_****0000');
    expect(step.log).toContain('step output plan-json');
    // The summary stays well-formed: every section and code block it opened is closed.
    expect(step.summary!.split('<details').length).toBe(step.summary!.split('</details>').length);
    expect(step.summary!.match(/^```/gm)!.length % 2).toBe(0);
  });
});
