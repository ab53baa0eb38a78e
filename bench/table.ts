/** One line of the bench table. */
export interface Row {
  readonly tier: string;
  readonly step: string;
  readonly wallMs?: number;
  readonly peakRss?: number;
  /** "sent / lower bound". */
  readonly requests?: string;
  readonly note?: string;
}

export const seconds = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
export const mib = (bytes: number): string => (bytes > 0 ? `${Math.round(bytes / (1 << 20))} MiB` : '—');

/** The rows as a Markdown table (readable in a terminal, pasteable into the README). */
export function renderTable(rows: readonly Row[]): string {
  const head = ['tier', 'step', 'wall', 'peak RSS', 'requests (sent / lower bound)', 'notes'];
  const body = rows.map((r) => [r.tier, r.step, r.wallMs === undefined ? '—' : seconds(r.wallMs), r.peakRss === undefined ? '—' : mib(r.peakRss), r.requests ?? '—', r.note ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
