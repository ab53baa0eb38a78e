/**
 * Makes text from YAML inert in GitHub Markdown and HTML: every character that could start markup,
 * a link, an HTML tag, an entity or an @-mention becomes a numeric entity; line breaks become spaces.
 * "@" and "#" are also followed by a zero-width space: GitHub finds mentions and issue references in
 * the rendered text, where an entity is already decoded back to "@".
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|<>~@&:"'=^$%/]/g, (c) => `&#${c.codePointAt(0)};${c === '@' || c === '#' ? '&#8203;' : ''}`);
}

/** A code fence longer than any backtick run in the content, so the content cannot close it. */
export function codeFence(content: string): string {
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}
