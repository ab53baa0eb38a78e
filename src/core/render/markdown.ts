import { diffArrays } from 'diff';
import type { Change } from '../diff.js';
import type { Plan } from '../plan.js';
import { addsIn, describeGroup, groupRuns, describeMember, planCounts, requestCounts } from './describe.js';
import { codeFence, escapeMarkdown } from './escape-markdown.js';

export interface MarkdownOptions {
  /** Mask identity values (the default for anything a PR reader sees). */
  readonly mask: boolean;
  /** The most member lines shown per group; the rest are counted. */
  readonly maxLinesPerGroup?: number;
  /** A title above the plan. */
  readonly title?: string;
}

/**
 * The plan for a PR comment or job summary: a summary table, then one collapsible section per
 * changed group with a diff block. Everything from YAML is escaped; identity values are masked.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  const max = options.maxLinesPerGroup ?? 200;
  const out: string[] = [`### ${options.title ?? 'groupops plan'}`, ''];
  out.push('| | memberships | items | requests |', '|---|---:|---:|---:|');
  const counts = requestCounts(plan);
  for (const op of ['delete', 'add'] as const) {
    // Both endpoints' requests of one operation add up in one row.
    const rs = counts.filter((x) => x.op === op);
    const items = rs.reduce((n, r) => n + r.items, 0);
    const requests = rs.reduce((n, r) => n + r.requests, 0);
    out.push(`| ${op === 'add' ? '➕ add' : '➖ delete'} | ${plan.summary[op]} | ${items} | ${requests} |`);
  }
  out.push('');
  out.push(
    plan.changes.length === 0
      ? '**No changes.** The group files match the snapshot.'
      : `**Plan: ${planCounts(plan.summary)}.** Deletes are sent before adds.`,
  );
  out.push('', `Plan checksum: \`${plan.checksum}\``, '');
  for (const { group, start, end } of groupRuns(plan.changes)) {
    const adds = addsIn(plan.changes, start, end);
    out.push(`<details><summary>${escapeMarkdown(describeGroup(group))}: +${adds} −${end - start - adds}</summary>`, '');
    const body = diffBlock(plan.changes.slice(start, Math.min(end, start + max)), end - start, options.mask);
    const fence = codeFence(body);
    out.push(`${fence}diff`, body, fence, '');
    let resent = 0;
    for (let i = start; i < end; i++) if (plan.changes[i]!.previous) resent++;
    // Said in words too: a `!` line is an add, and the count above includes it.
    if (resent > 0) out.push(`\`!\` identities changed: the member is re-sent as an add (${resent} of the +${adds}).`, '');
    out.push('</details>', '');
  }
  return out.join('\n');
}

/** A member line: what is shown (maybe masked) and what it is (never masked), for comparing. */
interface Line {
  readonly shown: string;
  readonly exact: string;
}

/**
 * A diff of the group's changed members: old lines on the left, new on the right, made with `diff`.
 * Lines are compared unmasked: two different members can mask alike (138****0000), and must still
 * show as a delete and an add, not as one unchanged line. A member whose identities changed is one
 * `!` line with its old identities below, as in the text plan: a `-`/`+` pair would read as a delete.
 * `shown` are the first changes of the group, `total` how many it has.
 */
function diffBlock(shown: readonly Change[], total: number, mask: boolean): string {
  const describe = (m: Change['member'], masked: boolean): string => describeMember(m, { mask: masked }).replace(/[\r\n]+/g, ' ');
  const line = (m: Change['member']): Line => ({ shown: describe(m, mask), exact: describe(m, false) });
  const before: Line[] = [];
  const after: Line[] = [];
  const resent: string[] = [];
  for (const c of shown) {
    if (c.op === 'delete') before.push(line(c.member));
    else if (c.previous) resent.push(`! ${describe(c.member, mask)}  (identities changed: re-sent as an add)`, `!     was ${describe(c.previous, mask)}`);
    else after.push(line(c.member));
  }
  const lines: string[] = [];
  for (const part of diffArrays(before, after, { comparator: (a, b) => a.exact === b.exact })) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    for (const v of part.value) lines.push(`${sign} ${v.shown}`);
  }
  lines.push(...resent);
  if (total > shown.length) lines.push(`# … and ${total - shown.length} more changes in this group (see the JSON plan)`);
  return lines.join('\n');
}
