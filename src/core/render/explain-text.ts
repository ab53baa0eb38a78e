import pc from 'picocolors';
import type { ExplainedMembership, ExplainReport, ExplainRequest } from '../explain.js';
import { describeGroup, describeMember, plural } from './describe.js';
import { maskValue } from './mask.js';
import { printable } from './printable.js';

export interface ExplainTextOptions {
  readonly color: boolean;
  readonly mask: boolean;
}

/** Batch IDs of the last apply listed before the rest are only counted. */
const MAX_BATCH_IDS = 5;

/** `groupops explain` for a terminal: each matched member, then each of its groups with status, file and line. */
export function renderExplainText(report: ExplainReport, options: ExplainTextOptions): string {
  const c = pc.createColors(options.color);
  const query = printable(options.mask && !report.query.includes('****') ? maskValue(report.query) : report.query);
  const lines: string[] = [];
  if (report.members.length === 0) {
    lines.push(
      `Nothing matches "${query}": no member of the group files (${printable(report.groups.dir)}/) or the snapshot (${printable(report.snapshot.path)}) has an identity with this value.`,
      'Look up an identity value as written (13900000000), a member key as plan prints it (phone 13900000000), or a masked value (139****0000).',
    );
  } else {
    const memberships = report.members.reduce((n, m) => n + m.memberships.length, 0);
    lines.push(c.bold(`"${query}" matches ${plural(report.members.length, 'member')}, in ${plural(memberships, 'group')}:`));
    for (const member of report.members) {
      lines.push('', c.bold(`member ${describeMember({ identities: [member.key] }, options)}`));
      for (const m of member.memberships) lines.push(...membershipLines(m, report, options, c));
    }
  }
  lines.push('', ...notes(report, c));
  return `${lines.join('\n')}\n`;
}

type Colors = ReturnType<typeof pc.createColors>;

function membershipLines(m: ExplainedMembership, report: ExplainReport, options: ExplainTextOptions, c: Colors): string[] {
  const group = describeGroup(m.group);
  const out: string[] = [];
  switch (m.status) {
    case 'applied':
      out.push(`  = ${group}: ${c.green('applied')}${m.journal ? ` by ${journalRequest(m.journal, report)}` : ''}`);
      break;
    case 'pending-add':
      out.push(c.green(`  + ${group}: pending add`) + ' (written, not applied yet: the next apply adds it)');
      break;
    case 'pending-update':
      out.push(c.yellow(`  ~ ${group}: pending update`) + ' (its identities changed: the next apply re-sends it as an add)');
      break;
    case 'pending-delete':
      out.push(
        c.red(`  - ${group}: pending delete`) +
          (m.declaredIn
            ? ` (${printable(m.declaredIn.file)} no longer lists it: the next apply deletes it)`
            : ' (no group file declares this group any more: the next apply deletes the membership; the group itself stays on the platform)'),
      );
      break;
  }
  if (m.written) {
    const at = `${printable(m.written.file)}:${m.written.line}`;
    const list = m.written.file === m.written.groupFile ? '' : ` (member list of ${printable(m.written.groupFile)})`;
    out.push(`      written at ${at}${list}: ${describeMember(m.written, options)}`);
  }
  if (m.recorded) out.push(`      recorded in the snapshot: ${describeMember(m.recorded, options)}`);
  if (m.journal && m.status !== 'applied') out.push(c.dim(`      last sent as ${journalRequest(m.journal, report)}`));
  return out;
}

/** `add batch 1531… of an interrupted apply (in the journal …)`. */
function journalRequest(j: NonNullable<ExplainedMembership['journal']>, report: ExplainReport): string {
  const batch = j.batchId !== undefined ? `${j.op} batch ${j.batchId}` : `a customer-group ${j.op}`;
  const state = j.status === 'partial' ? ', partly applied' : j.status === 'unknown' ? ', not confirmed yet' : '';
  return `${batch}${state} of an interrupted apply (in the journal ${printable(report.journal?.path ?? '')}, which the next apply folds into the snapshot)`;
}

function notes(report: ExplainReport, c: Colors): string[] {
  const out: string[] = [];
  const { snapshot } = report;
  if (!report.groups.exists) out.push(`Note: the groups folder "${printable(report.groups.dir)}" does not exist, so nothing is written and every recorded membership shows as a pending delete.`);
  if (!snapshot.exists) out.push(`No snapshot yet (${printable(snapshot.path)}): nothing was applied, so every membership written is pending.`);
  else if (snapshot.lastApply === null) out.push(`The snapshot ${printable(snapshot.path)} records no apply yet.`);
  else {
    const la = snapshot.lastApply;
    const commit = la.commit === null ? 'no git commit' : `commit ${la.commit.slice(0, 12)}`;
    out.push(
      c.dim(
        `The snapshot's last apply: ${commit}, ${la.time}${la.complete ? '' : ' (incomplete)'}, ${plural(la.requests.length, 'request')}${la.requests.length > 0 ? `: ${batchList(la.requests)}` : ''}. ` +
          'A membership recorded as applied was sent by it or by an apply before it.',
      ),
    );
  }
  if (report.journal)
    out.push(`An interrupted apply (started ${report.journal.started}) left ${plural(report.journal.requests, 'acknowledged request')} in ${printable(report.journal.path)}; they count as applied.`);
  return out;
}

function batchList(requests: readonly ExplainRequest[]): string {
  const named = requests.map((r) => (r.batchId !== undefined ? `${r.op} batch ${r.batchId}` : `${r.op} (customer groups)`));
  const shown = named.slice(0, MAX_BATCH_IDS).join(', ');
  return named.length > MAX_BATCH_IDS ? `${shown} and ${named.length - MAX_BATCH_IDS} more (--format json lists them)` : shown;
}
