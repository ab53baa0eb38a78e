import pc from 'picocolors';
import { describeIdentityChanges, diffIdentities } from '../identity-changes.js';
import type { Plan } from '../plan.js';
import { printable } from './printable.js';
import { addsIn, describeGroup, groupRuns, describeMember, planCounts, plural, requestCounts } from './describe.js';

export interface TextOptions {
  readonly color: boolean;
  readonly mask: boolean;
  /** The most member lines listed over the whole plan (default 2000); the rest are counted per group. */
  readonly maxLines?: number;
}

/** Member lines a terminal plan lists before it only counts: a million lines help no reader. */
export const TEXT_MAX_LINES = 2000;

/** The plan for a terminal, terraform style: grouped by group, `+`/`-`/`~` per member, a closing summary line. */
export function renderText(plan: Plan, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push(c.green('No changes.') + ' The group files match the snapshot.', '');
  } else {
    lines.push('groupops will make these changes:', '');
    let budget = options.maxLines ?? TEXT_MAX_LINES;
    for (const { group, start, end } of groupRuns(plan.changes)) {
      lines.push(c.bold(`  # group ${describeGroup(group)}`));
      const shownEnd = Math.min(end, start + Math.max(0, budget));
      budget -= shownEnd - start;
      for (let i = start; i < shownEnd; i++) {
        const ch = plan.changes[i]!;
        if (ch.op === 'delete') lines.push(c.red(`  - ${describeMember(ch.member, options)}`));
        else if (ch.previous) {
          const what = printable(describeIdentityChanges(diffIdentities(ch.previous, ch.member).changes));
          lines.push(c.yellow(`  ~ ${describeMember(ch.member, options)}`) + c.dim(`  (identities changed: ${what}; re-sent as an add)`));
          lines.push(c.dim(`      was ${describeMember(ch.previous, options)}`));
        } else lines.push(c.green(`  + ${describeMember(ch.member, options)}`));
      }
      if (shownEnd < end) {
        const rest = end - shownEnd;
        const adds = addsIn(plan.changes, shownEnd, end);
        lines.push(c.dim(`  … and ${rest} more (${adds} to add, ${rest - adds} to delete) not listed: --format json lists every change`));
      }
      lines.push('');
    }
    lines.push('Requests (deletes are sent first):');
    for (const r of requestCounts(plan)) {
      lines.push(`  ${r.op.padEnd(6)}  ${plural(r.requests, 'request')}, ${plural(r.items, 'item')}${r.target === 'customer' ? ' (customer-group endpoint)' : ''}`);
    }
    lines.push('');
  }
  // The summary is the closing line, as in terraform: scripts and eyes look for it last.
  lines.push(c.dim(`Checksum: ${plan.checksum}`), c.bold(`Plan: ${planCounts(plan.summary)}.`));
  return `${lines.join('\n')}\n`;
}
