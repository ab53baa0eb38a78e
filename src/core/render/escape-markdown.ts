/**
 * Makes text from YAML inert in GitHub Markdown and HTML: every character that could start markup,
 * a link, an HTML tag, an entity or an @-mention becomes a numeric entity; line breaks become spaces.
 * "@" and "#" are also followed by a zero-width space: GitHub finds mentions and issue references in
 * the rendered text, where an entity is already decoded back to "@".
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~@&:"'=^$%/]/g, (c) => `&#${c.codePointAt(0)};${c === '@' || c === '#' ? '&#8203;' : ''}`);
}

/**
 * Text from YAML or git (a branch name) as an inline code span. Entities are not decoded inside
 * code, so escapeMarkdown would show "release&#47;v1"; instead the delimiter is a backtick run that
 * does not occur in the text (git allows backticks in branch names), padded with spaces when the
 * text starts or ends with a backtick, and line breaks become spaces.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const runs = new Set([...flat.matchAll(/`+/g)].map((m) => m[0].length));
  let n = 1;
  while (runs.has(n)) n++;
  const ticks = '`'.repeat(n);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A code fence longer than any backtick run in the content, so the content cannot close it. */
export function codeFence(content: string): string {
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}
