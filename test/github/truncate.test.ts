import { describe, expect, it } from 'vitest';
import { truncateMarkdown } from '../../src/github/truncate.js';

const note = '> cut: see the job summary';

describe('truncateMarkdown', () => {
  it('returns text within the limit unchanged', () => {
    const text = 'a\nb\nc';
    expect(truncateMarkdown(text, { limit: 5, note })).toEqual({ text, truncated: false, keptLines: 3, totalLines: 3 });
  });

  it('cuts at a line boundary, stays within the limit and ends with the note', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    const text = lines.join('\n');
    const cut = truncateMarkdown(text, { limit: 5000, note });
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(5000);
    expect(cut.text.endsWith(`\n\n${note}\n`)).toBe(true);
    const kept = cut.text.slice(0, cut.text.length - `\n\n${note}\n`.length);
    expect(kept).toBe(lines.slice(0, cut.keptLines).join('\n'));
    // It kept as much as fits: one more line would not have.
    expect(kept.length + 1 + lines[cut.keptLines]!.length + `\n\n${note}\n`.length).toBeGreaterThan(5000);
  });

  it('closes an open code fence and open <details> sections, using the opening fence', () => {
    const body = Array.from({ length: 400 }, (_, i) => `+ member ${i}`).join('\n');
    const text = ['### plan', '', '<details><summary>g</summary>', '', '````diff', body, '````', '', '</details>', 'after'].join('\n');
    const cut = truncateMarkdown(text, { limit: 2000, note });
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(2000);
    expect(cut.text).toMatch(/\+ member \d+\n````\n\n<\/details>\n\n> cut: see the job summary\n$/);
    expect((cut.text.match(/````/g) ?? []).length).toBe(2);
  });

  it('does not count a details tag inside a code block, and does not close a fence already closed', () => {
    const text = ['```', '<details>', '```', ...Array.from({ length: 300 }, (_, i) => `row ${i}`)].join('\n');
    const cut = truncateMarkdown(text, { limit: 600, note });
    expect(cut.text).not.toContain('</details>');
    expect((cut.text.match(/```/g) ?? []).length).toBe(2);
  });

  it('measures with the given function (bytes for job summaries)', () => {
    const text = Array.from({ length: 100 }, () => '兔展兔展').join('\n');
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const cut = truncateMarkdown(text, { limit: 300, note, measure: bytes });
    expect(bytes(cut.text)).toBeLessThanOrEqual(300);
    expect(cut.text.length).toBeLessThan(300);
  });

  it('refuses a limit smaller than the note', () => {
    expect(() => truncateMarkdown('a'.repeat(100), { limit: 10, note })).toThrow(RangeError);
  });
});
