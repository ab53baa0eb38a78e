import type { Change } from '../diff.js';
import { describeIdentityChanges, diffIdentities } from '../identity-changes.js';
import type { GroupRef } from '../model.js';
import type { Plan } from '../plan.js';
import type { SafetyVerdict } from '../safety.js';
import { addsIn, describeGroup, describeIdentity, describeMember, groupRuns, planCounts, plural, requestCounts } from './describe.js';
import { codeFence, escapeMarkdown } from './escape-markdown.js';
import { renderSafetyVerdict } from './safety-verdict.js';

export interface MarkdownOptions {
  /** Mask identity values (the default for anything a PR reader sees). */
  readonly mask: boolean;
  /** A title above the plan. */
  readonly title?: string;
  /** A line under the title, already Markdown (the PR comment's provenance: for which commit, by which run). */
  readonly subtitle?: string;
  /** The most changes listed per group (default 200); the rest are counted. */
  readonly maxLinesPerGroup?: number;
  /** Where the changes a group does not list can be read (default: `groupops plan --format json`). */
  readonly moreNote?: string;
  /**
   * The most UTF-8 bytes of Markdown (default: no limit). Past it no more changes are listed, the
   * sections are closed, and `cutNote` ends the text; the result is then not complete.
   */
  readonly maxBytes?: number;
  readonly cutNote?: string;
  /** Whether the apply on merge would be refused by a safety limit (PR comments and summaries). */
  readonly safety?: SafetyVerdict;
}

/** A group with at most this many changes is shown open… */
export const OPEN_GROUP_MAX_CHANGES = 20;
/** …as long as the groups shown open before it list fewer than this many changes together. */
export const OPEN_PLAN_MAX_CHANGES = 100;
/** Bytes a group section takes besides its header and changes: fences, the notes, closers. */
const GROUP_FRAME_BYTES = 600;
/** Removed groups named one by one at the top of the plan; the rest are counted. */
const REMOVED_LISTED = 10;

/**
 * The plan for a PR comment or job summary: a summary table, the safety verdict, the group files
 * removed, then one section per changed group with a diff block. Short groups are open, long ones
 * collapsed. Everything from YAML is escaped; identity values are masked when asked.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  return renderPlanMarkdown(plan, options).text;
}

/** renderMarkdown, and whether it lists every change (false when a group or the size limit cut it). */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions): { text: string; complete: boolean } {
  const out = new SizedLines(options.maxBytes ?? Number.POSITIVE_INFINITY);
  out.push(`### ${options.title ?? 'groupops plan'}`, '');
  if (options.subtitle !== undefined) out.push(options.subtitle, '');
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
  out.push(plan.changes.length === 0 ? '**No changes.** The group files match the snapshot.' : `**Plan: ${planCounts(plan.summary)}.** Deletes are sent before adds.`, '');
  if (options.safety) out.push(...renderSafetyVerdict(options.safety), '');
  const runs = groupRuns(plan.changes);
  const removed = new Set(plan.removedGroups ?? []);
  out.push(...removedCallout(runs.filter((r) => removed.has(r.key))));
  out.push(`Plan checksum: \`${plan.checksum}\``, '');

  const max = options.maxLinesPerGroup ?? 200;
  const more = options.moreNote ?? '`groupops plan --format json` lists every change';
  let complete = true;
  let open = 0;
  for (let g = 0; g < runs.length; g++) {
    const { key, group, start, end } = runs[g]!;
    const size = end - start;
    const isOpen = size <= OPEN_GROUP_MAX_CHANGES && open < OPEN_PLAN_MAX_CHANGES;
    const adds = addsIn(plan.changes, start, end);
    const gone = removed.has(key) ? ' · group file removed' : '';
    const head = [`<details${isOpen ? ' open' : ''}><summary>${escapeMarkdown(describeGroup(group))}: +${adds} −${size - adds}${gone}</summary>`, ''];
    if (gone) head.push('> 🗑️ No group file declares this group any more: all its memberships are deleted. The group itself stays on the platform, empty.', '');
    // The section's own lines (fences, notes, closers) are counted before any of its changes.
    if (out.full || !out.reserve(head, GROUP_FRAME_BYTES)) {
      complete = false;
      out.force(`*… and ${plural(runs.length - g, 'more changed group')} not shown.*`, '');
      break;
    }
    if (isOpen) open += size;
    out.force(...head);
    const body = diffBlock(plan.changes, start, end, { mask: options.mask, max, more, out });
    if (!body.complete) complete = false;
    const fence = codeFence(body.lines.join('\n'));
    out.force(`${fence}diff`, ...body.lines, fence, '');
    if (body.resent > 0) {
      // Said in words too: a `@@` member is an add, and the count above includes it.
      out.force(
        `\`@@\` identities changed under the same key: the member is re-sent as an add (${body.resent} of the +${adds}); \`-\` shows its identities as applied, \`+\` as the group file has them.`,
        '',
      );
    }
    out.force('</details>', '');
  }
  if (!complete && out.full && options.cutNote) out.force(options.cutNote, '');
  return { text: out.text(), complete };
}

/** The groups whose file was removed, named at the top: a reviewer must not miss them in a long plan. */
function removedCallout(runs: readonly { group: GroupRef; start: number; end: number }[]): string[] {
  if (runs.length === 0) return [];
  const names = runs.slice(0, REMOVED_LISTED).map((r) => `${escapeMarkdown(describeGroup(r.group))} (−${r.end - r.start})`);
  const rest = runs.length > REMOVED_LISTED ? `, and ${runs.length - REMOVED_LISTED} more` : '';
  const what = runs.length === 1 ? 'group file removed' : 'group files removed';
  return [
    `🗑️ **${runs.length} ${what}**: ${names.join(', ')}${rest}. No group file declares ${runs.length === 1 ? 'this group' : 'these groups'} any more, so all ${runs.length === 1 ? 'its' : 'their'} memberships are deleted; the ${runs.length === 1 ? 'group itself stays' : 'groups themselves stay'} on the platform, empty (groupops never deletes a group).`,
    '',
  ];
}

/**
 * A group's diff block: `-` deleted members, `+` added members, then each member whose identities
 * changed under the same key as a `@@` line naming the change, followed by its identities as a line
 * diff (` ` unchanged, `-` as applied, `+` as desired, made with `diff`). Values are compared
 * unmasked, so a change shows even when the masked values look alike (`phone 139****0000 (value
 * changed)`). Lists at most `max` changes, and none once the size limit is reached.
 */
function diffBlock(changes: readonly Change[], start: number, end: number, o: { mask: boolean; max: number; more: string; out: SizedLines }): { lines: string[]; complete: boolean; resent: number } {
  const flat = (s: string): string => s.replace(/[\r\n]+/g, ' ');
  const member = (m: Change['member']): string => flat(describeMember(m, { mask: o.mask }));
  const lines: string[] = [];
  const ordered: Change[] = [];
  for (let i = start; i < end; i++) if (changes[i]!.op === 'delete') ordered.push(changes[i]!);
  for (let i = start; i < end; i++) if (changes[i]!.op === 'add' && !changes[i]!.previous) ordered.push(changes[i]!);
  let resent = 0;
  for (let i = start; i < end; i++) {
    if (changes[i]!.previous) {
      ordered.push(changes[i]!);
      resent++;
    }
  }
  let listed = 0;
  for (const c of ordered) {
    if (listed >= o.max) break;
    let entry: string[];
    if (!c.previous) entry = [`${c.op === 'add' ? '+' : '-'} ${member(c.member)}`];
    else {
      const { lines: ids, changes: what } = diffIdentities(c.previous, c.member);
      const key = c.member.identities[0]!;
      entry = [`@@ ${flat(describeIdentity(key, { mask: o.mask }))}: ${flat(describeIdentityChanges(what))}; re-sent as an add @@`];
      for (const l of ids) entry.push(`${l.sign} ${flat(describeIdentity(l.identity, { mask: o.mask }))}${l.note ? `  (${l.note})` : ''}`);
    }
    if (!o.out.reserve(entry)) break;
    lines.push(...entry);
    listed++;
  }
  const rest = end - start - listed;
  if (rest > 0) lines.push(`# … and ${plural(rest, 'more change')} in this group: ${o.more.replace(/`/g, '')}`);
  return { lines, complete: rest === 0, resent };
}

/**
 * Lines and their size in UTF-8 bytes (never less than GitHub's characters). `push` adds and counts;
 * `reserve` counts lines (and extra bytes) before they are added with `force`, and says whether they
 * fit; once one did not, the text is `full`. `force` adds without counting: lines already reserved,
 * and the closing notes the limit leaves room for.
 */
class SizedLines {
  private readonly lines: string[] = [];
  private bytes = 0;
  full = false;

  constructor(private readonly limit: number) {}

  push(...lines: string[]): void {
    for (const l of lines) {
      this.bytes += utf8Length(l) + 1;
      this.lines.push(l);
    }
  }

  force(...lines: string[]): void {
    for (const l of lines) this.lines.push(l);
  }

  reserve(lines: readonly string[], extra = 0): boolean {
    let size = extra;
    for (const l of lines) size += utf8Length(l) + 1;
    if (this.full || this.bytes + size > this.limit) {
      this.full = true;
      return false;
    }
    this.bytes += size;
    return true;
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
