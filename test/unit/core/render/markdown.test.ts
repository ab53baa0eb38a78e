import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../../src/core/plan.js';
import { codeFence, codeSpan, escapeMarkdown } from '../../../../src/core/render/escape-markdown.js';
import { OPEN_GROUP_MAX_CHANGES, OPEN_PLAN_MAX_CHANGES, renderMarkdown, renderPlanMarkdown, utf8Length } from '../../../../src/core/render/markdown.js';
import { renderIssuesMarkdown, renderRefusalMarkdown } from '../../../../src/github/plan-comment.js';
import { enterprise, member, phone, phones, state, unionid } from '../builders.js';
import { samplePlan } from './fixture-plan.js';

const HOSTILE = '@octocat <img src=x onerror=alert(1)> **bold** [x](http://e)';

/** The code blocks of a Markdown text: [fence, lines inside]. Fails if a block is never closed. */
function codeBlocks(markdown: string): { fence: string; body: string[] }[] {
  const out: { fence: string; body: string[] }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})diff$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const end = lines.findIndex((l, j) => j > i && new RegExp(`^\`{${fence.length},}\\s*$`).test(l));
    expect(end, 'an unclosed code block').toBeGreaterThan(i);
    out.push({ fence, body: lines.slice(i + 1, end) });
    i = end;
  }
  return out;
}

describe('renderMarkdown', () => {
  it('renders a summary table and one collapsible diff per changed group, values masked', () => {
    expect(renderMarkdown(samplePlan(), { mask: true })).toMatchInlineSnapshot(`
      "### groupops plan

      | | memberships | items | requests |
      |---|---:|---:|---:|
      | ➖ delete | 2 | 2 | 1 |
      | ➕ add | 4 | 3 | 1 |

      **Plan: 4 to add, 2 to delete, in 2 requests.** Deletes are sent before adds.

      🗑️ **1 group file removed**: Old group &#40;enterprise&#41; (−1). No group file declares this group any more, so all its memberships are deleted; the group itself stays on the platform, empty (groupops never deletes a group).

      Plan checksum: \`419fdba6d997fdc27c53e9de7699232f7bfc75b9348560b6653bf9d75baea1f1\`

      <details open><summary>研发部 &#40;department, wxDeptId 1001&#41;: +1 −0</summary>

      \`\`\`diff
      + phone 135****0004
      \`\`\`

      </details>

      <details open><summary>Beta &#40;enterprise&#41;: +1 −0</summary>

      \`\`\`diff
      + openid o6_****fL2M (platform gzh, appid wx1234567890abcdef, WeChat ecosystem)
      \`\`\`

      </details>

      <details open><summary>Old group &#40;enterprise&#41;: +0 −1 · group file removed</summary>

      > 🗑️ No group file declares this group any more: all its memberships are deleted. The group itself stays on the platform, empty.

      \`\`\`diff
      - phone 137****0002
      \`\`\`

      </details>

      <details open><summary>VIP客户 &#40;enterprise&#41;: +2 −1</summary>

      \`\`\`diff
      - phone 188****8888
      + openid o6_****fL2M (platform gzh, appid wx1234567890abcdef, WeChat ecosystem)
      @@ phone 139****0001: unionid value changed; re-sent as an add @@
        phone 139****0001
      - unionid oU****ld
      + unionid oU****ew  (value changed)
      \`\`\`

      \`@@\` identities changed under the same key: the member is re-sent as an add (1 of the +2); \`-\` shows its identities as applied, \`+\` as the group file has them.

      </details>
      "
    `);
  });

  it('masks identity values (188****8888) and never prints them whole', () => {
    const out = renderMarkdown(samplePlan(), { mask: true });
    expect(out).toContain('- phone 188****8888');
    for (const value of ['18888888888', '13900000001', '13500000004', 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M']) expect(out).not.toContain(value);
  });

  it('shows members that mask alike as a delete and an add, not as an unchanged line', () => {
    const g = enterprise('g');
    const plan = buildPlan(state([g, [member(phone('13856780000'))]]), state([g, [member(phone('13812340000'))]]));
    const [block] = codeBlocks(renderMarkdown(plan, { mask: true }));
    expect(block!.body).toEqual(['- phone 138****0000', '+ phone 138****0000']);
  });

  it('shows a member whose identities changed as one re-sent add with its identities diffed, not as a delete and an add, and says so', () => {
    const g = enterprise('g');
    const applied = state([g, [member(phone('13900000001'), unionid('oUpF8uOld')), member(phone('13700000002'))]]);
    const desired = state([g, [member(phone('13900000001'), unionid('oUpF8uNew'))]]);
    const out = renderMarkdown(buildPlan(desired, applied), { mask: true });
    const [block] = codeBlocks(out);
    expect(block!.body).toEqual([
      '- phone 137****0002',
      '@@ phone 139****0001: unionid value changed; re-sent as an add @@',
      '  phone 139****0001',
      '- unionid oU****ld',
      '+ unionid oU****ew  (value changed)',
    ]);
    // The group's counts match its lines: one delete, one add (the re-sent member).
    expect(out).toContain('<details open><summary>g &#40;enterprise&#41;: +1 −1</summary>');
    expect(out).toContain('`@@` identities changed under the same key: the member is re-sent as an add (1 of the +1)');
    expect(out).toContain('| ➕ add | 1 |');
    expect(out).not.toContain('oUpF8uNew');
  });

  it('renders a hostile group name inert: no mention, tag, emphasis or link survives', () => {
    const plan = buildPlan(state([enterprise(HOSTILE), phones(1)]), state());
    const out = renderMarkdown(plan, { mask: true });
    for (const bad of ['@octocat', '<img', '**bold**', '[x]', '](', 'http://', 'onerror=']) expect(out).not.toContain(bad);
    const tags = out.match(/<\/?[a-z]+[^>]*>/gi) ?? [];
    expect(new Set(tags)).toEqual(new Set(['<details open>', '<summary>', '</summary>', '</details>']));
    expect(out).toContain('&#64;&#8203;octocat');
  });

  it('keeps a line break in a name from starting new Markdown', () => {
    const plan = buildPlan(state([enterprise('a\n# heading\n- item'), phones(1)]), state());
    const summary = renderMarkdown(plan, { mask: true })
      .split('\n')
      .find((l) => l.startsWith('<details'));
    expect(summary).toBe('<details open><summary>a&#92;u000a&#35;&#8203; heading&#92;u000a&#45; item &#40;enterprise&#41;: +1 −0</summary>');
  });

  it('lengthens the fence so backticks in values cannot close the diff block', () => {
    const g = enterprise('g');
    const plan = buildPlan(state([g, [member({ type: 'crm_id', value: '```\n<script>x</script>' }), member({ type: 'crm_id', value: 'a`````b' })]]), state());
    const out = renderMarkdown(plan, { mask: false });
    const blocks = codeBlocks(out);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.fence).toBe('``````');
    expect(blocks[0]!.body).toEqual(['+ crm_id ```\\u000a<script>x</script>', '+ crm_id a`````b']);
  });

  it('cuts a long group to the line limit and counts the rest', () => {
    const plan = buildPlan(state([enterprise('g'), phones(5)]), state());
    const [block] = codeBlocks(renderMarkdown(plan, { mask: true, maxLinesPerGroup: 2 }));
    expect(block!.body).toHaveLength(3);
    expect(block!.body[2]).toBe('# … and 3 more changes in this group: groupops plan --format json lists every change');
  });

  it('says so when nothing changes', () => {
    const out = renderMarkdown(buildPlan(state(), state()), { mask: true, title: 'Plan for main' });
    expect(out).toContain('### Plan for main');
    expect(out).toContain('**No changes.** The group files match the snapshot.');
    expect(out).not.toContain('<details>');
  });
});

describe("the subtitle (the PR comment's provenance)", () => {
  it('is rendered under the title, by the renderer, in the plan, the refusal and the issues', () => {
    const sub = '<sub>Planned for aaaaaaa.</sub>';
    expect(renderMarkdown(samplePlan(), { mask: true, subtitle: sub })).toMatch(/^### groupops plan\n\n<sub>Planned for aaaaaaa\.<\/sub>\n\n\| \| memberships/);
    expect(renderRefusalMarkdown('another tenant', { subtitle: sub })).toMatch(/^### groupops plan\n\n<sub>Planned for aaaaaaa\.<\/sub>\n\n⛔ \*\*Refused:\*\* another tenant/);
    const issues = renderIssuesMarkdown([{ file: 'groups/a.yaml', line: 2, column: 3, message: 'bad' }], { mask: true, summary: 'the group files are invalid', subtitle: sub });
    expect(issues).toMatch(/^### groupops plan\n\n<sub>Planned for aaaaaaa\.<\/sub>\n\n❌/);
    expect(renderMarkdown(samplePlan(), { mask: true })).not.toContain('<sub>');
  });
});

describe('escapeMarkdown, codeSpan and codeFence', () => {
  it('turns every markup character into an entity', () => {
    expect(escapeMarkdown('*_`[]()<>!|~')).toBe('&#42;&#95;&#96;&#91;&#93;&#40;&#41;&#60;&#62;&#33;&#124;&#126;');
    expect(escapeMarkdown('VIP客户 2024')).toBe('VIP客户 2024');
  });

  it('picks a fence longer than any backtick run', () => {
    expect(codeFence('no ticks')).toBe('```');
    expect(codeFence('a ```` b')).toBe('`````');
  });

  it('puts text in a code span verbatim (entities are not decoded inside code), delimited by a backtick run the text lacks', () => {
    expect(codeSpan('release/v1.2-rc')).toBe('`release/v1.2-rc`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('a`b``c')).toBe('```a`b``c```');
    // A span whose text starts or ends with a backtick needs a space inside the delimiters.
    expect(codeSpan('`x')).toBe('`` `x ``');
    expect(codeSpan('two\nlines')).toBe('`two lines`');
  });
});

describe('renderMarkdown for reviewers', () => {
  const details = (md: string) => md.split('\n').filter((l) => l.startsWith('<details'));

  it(`opens groups of at most ${OPEN_GROUP_MAX_CHANGES} changes while the open ones list fewer than ${OPEN_PLAN_MAX_CHANGES}; longer groups collapse`, () => {
    const groups = [
      ['a', 20],
      ['b', 21],
      ['c', 20],
      ['d', 20],
      ['e', 20],
      ['f', 20],
      ['g', 1],
    ] as const;
    const plan = buildPlan(state(...groups.map(([name, n], k): [ReturnType<typeof enterprise>, ReturnType<typeof phones>] => [enterprise(name), phones(n, k * 100)])), state());
    const opened = details(renderMarkdown(plan, { mask: true })).map((l) => `${/<details open>/.test(l) ? 'open' : 'closed'} ${/<summary>(\w)/.exec(l)![1]}`);
    // a, c, d, e, f open (100 changes): g is short but comes after the open budget is spent; b is long.
    expect(opened).toEqual(['open a', 'closed b', 'open c', 'open d', 'open e', 'open f', 'closed g']);
  });

  it('calls out a removed group file at the top and on its section, but not a group emptied in its file', () => {
    const plan = buildPlan(state([enterprise('Kept'), []]), state([enterprise('Gone'), phones(2)], [enterprise('Kept'), phones(1, 5)]));
    const out = renderMarkdown(plan, { mask: true });
    expect(plan.removedGroups).toHaveLength(1);
    expect(out).toContain(
      '🗑️ **1 group file removed**: Gone &#40;enterprise&#41; (−2). No group file declares this group any more, so all its memberships are deleted; the group itself stays on the platform, empty (groupops never deletes a group).',
    );
    expect(details(out)).toEqual(['<details open><summary>Gone &#40;enterprise&#41;: +0 −2 · group file removed</summary>', '<details open><summary>Kept &#40;enterprise&#41;: +0 −1</summary>']);
  });

  it('shows the refusal a safety rule reports in its own words, with the override of the workflow', () => {
    const plan = buildPlan(state(), state([enterprise('g'), phones(30)]));
    const verdict = (kind: string, reason: string) => renderMarkdown(plan, { mask: true, safety: { deletes: 30, applied: 30, refusal: { kind: kind as never, reason, override: 'cli words' } } });
    // A rule core/safety.ts may add later (a delete cap) is shown as it reports itself, with the general override.
    const cap = verdict('delete-cap', 'refusing to apply: the plan deletes 12000 memberships, more than the cap of 10000 (config safety.maxDeleteTotal).');
    expect(cap).toContain(
      '⛔ **The apply on merge would be refused by a safety limit**: the plan deletes 12000 memberships, more than the cap of 10000 &#40;config safety&#46;maxDeleteTotal&#41;. Nothing would be sent.',
    );
    expect(cap).toContain('**To apply it on purpose:** after merging, run the *groups-apply* workflow by hand');
    expect(cap).toContain('change the limits under `safety:`');
    expect(cap).not.toContain('cli words');
    expect(verdict('empty-groups', 'refusing to apply: empty.')).not.toContain('`safety:`');
    expect(verdict('missing-groups', 'refusing to apply: missing.')).toContain('**To proceed:** restore the groups folder in this PR. No override applies');
  });

  it('stops listing at the size limit, closes what it opened, ends with the note, and says it is not complete', () => {
    const plan = buildPlan(state(...Array.from({ length: 50 }, (_, g): [ReturnType<typeof enterprise>, ReturnType<typeof phones>] => [enterprise(`g${g}`), phones(40, g * 100)])), state());
    const { text, complete } = renderPlanMarkdown(plan, { mask: true, maxLinesPerGroup: Number.POSITIVE_INFINITY, maxBytes: 20_000, cutNote: '> cut: see the artifact' });
    expect(complete).toBe(false);
    expect(utf8Length(text)).toBeLessThanOrEqual(20_000 + 200);
    expect(text.split('<details').length).toBe(text.split('</details>').length);
    expect(text).toMatch(/\*… and \d+ more changed groups not shown\.\*\n\n> cut: see the artifact\n$/);
    const all = renderPlanMarkdown(plan, { mask: true, maxLinesPerGroup: Number.POSITIVE_INFINITY });
    expect(all.complete).toBe(true);
    expect(all.text.match(/^\+ phone/gm)).toHaveLength(2000);
  });
});
