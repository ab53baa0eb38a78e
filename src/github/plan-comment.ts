import { codeSpan, escapeMarkdown } from '../core/render/escape-markdown.js';
import { maskIssue } from '../core/render/mask-issue.js';
import type { SourceIssue } from '../errors/index.js';
import { plural } from '../core/render/describe.js';
import { PLAN_MARKER } from './sticky-comment.js';
import { truncateMarkdown } from './truncate.js';

/** GitHub's limit on a comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

/** Where a plan was made: shown under the plan so a reviewer knows it is current. */
export interface PlanProvenance {
  readonly headSha?: string;
  readonly baseRef?: string;
  readonly runUrl?: string;
}

/** The line under the title: for which commit, by which run, and what happens on merge. */
export function provenanceLine(p: PlanProvenance): string {
  const parts: string[] = [];
  if (p.headSha) parts.push(`for ${p.headSha.slice(0, 7)}`);
  if (p.runUrl) parts.push(`by [this run](${p.runUrl})`);
  const merge = p.baseRef ? `Applied when merged into ${codeSpan(p.baseRef)}.` : 'Applied when merged.';
  return `<sub>Planned ${parts.join(' ')}${parts.length > 0 ? '. ' : ''}${merge} This comment is updated on every push.</sub>`;
}

/** A plan refused before it was made (the snapshot belongs to another target): the reason and the way on, escaped; `subtitle` (Markdown) under the title. */
export function renderRefusalMarkdown(message: string, options: { title?: string; subtitle?: string } = {}): string {
  const [reason = '', ...rest] = message.split('\n');
  return [`### ${options.title ?? 'groupops plan'}`, '', ...subtitleLines(options.subtitle), `⛔ **Refused:** ${escapeMarkdown(reason)}`, '', ...rest.map(escapeMarkdown), ''].join('\n');
}

/** A subtitle and the blank line after it, or nothing. */
function subtitleLines(subtitle: string | undefined): string[] {
  return subtitle === undefined ? [] : [subtitle, ''];
}

/**
 * The Markdown of input that cannot be planned: every issue in a table, text escaped (it quotes YAML),
 * and with `mask` the identity values it quotes masked. `summary` says what was invalid (the group
 * files, the config, the snapshot), as the error did. Each issue is also an annotation on its line;
 * the table is what a reviewer reads in the PR.
 */
export function renderIssuesMarkdown(issues: readonly SourceIssue[], options: { mask: boolean; summary: string; title?: string; subtitle?: string }): string {
  const title = options.title ?? 'groupops plan';
  const files = new Set(issues.map((i) => i.file)).size;
  const what = options.summary.charAt(0).toUpperCase() + options.summary.slice(1);
  const out = [
    `### ${title}`,
    '',
    ...subtitleLines(options.subtitle),
    `❌ **${escapeMarkdown(what)}**: ${plural(issues.length, 'problem')} in ${plural(files, 'file')}. Nothing can be planned or applied until ${issues.length === 1 ? 'it is' : 'they are'} fixed; each is annotated on its line under *Files changed*.`,
    '',
    '| file | line:col | problem |',
    '|---|---:|---|',
  ];
  for (const i of issues) out.push(`| ${escapeMarkdown(i.file)} | ${i.line}:${i.column} | ${escapeMarkdown((options.mask ? maskIssue(i) : i).message)} |`);
  out.push('');
  return out.join('\n');
}

/**
 * The body of the sticky PR comment: the marker, the plan (rendered with its provenance line as
 * the subtitle), and (when it does not fit in a comment) a cut at a line boundary with a note
 * pointing to the job summary, which holds the full plan.
 */
export function planCommentBody(markdown: string, runUrl: string | undefined): { body: string; truncated: boolean } {
  return fitComment(`${PLAN_MARKER}\n${markdown}`, runUrl);
}

/** A comment body cut to GitHub's limit at a line boundary, with a note pointing to the job summary. */
export function fitComment(body: string, runUrl: string | undefined, what: 'plan' | 'result' = 'plan'): { body: string; truncated: boolean } {
  const cut = truncateMarkdown(body, { limit: COMMENT_LIMIT, note: commentCutNote(runUrl, what) });
  return { body: cut.text, truncated: cut.truncated };
}

/** The note at the end of a comment that could not hold everything: the job summary does. */
export function commentCutNote(runUrl: string | undefined, what: 'plan' | 'result' = 'plan'): string {
  const where = runUrl ? `the job summary of [this run](${runUrl})` : 'the job summary of this workflow run';
  return `> ⚠️ **The ${what} is cut here**: a PR comment holds at most 65,536 characters. The full ${what} is in ${where}.`;
}
