/** What a truncation keeps and how it measures. */
export interface TruncateOptions {
  /** The largest allowed size of the result, as `measure` counts it. */
  readonly limit: number;
  /** Markdown put after the cut, on its own paragraph. */
  readonly note: string;
  /** Size of a string: UTF-16 code units by default (never fewer than GitHub's characters). */
  readonly measure?: (s: string) => number;
}

export interface Truncated {
  readonly text: string;
  readonly truncated: boolean;
  /** Lines of the input that were kept. */
  readonly keptLines: number;
  readonly totalLines: number;
}

/**
 * Cuts Markdown at a line boundary so that the kept lines, the closers of whatever they left open
 * (a code fence, `<details>` sections) and the note fit in `limit`. Pure; text within the limit is
 * returned unchanged.
 */
export function truncateMarkdown(text: string, options: TruncateOptions): Truncated {
  const measure = options.measure ?? ((s: string) => s.length);
  const lines = text.split('\n');
  if (measure(text) <= options.limit) return { text, truncated: false, keptLines: lines.length, totalLines: lines.length };
  const noteSize = measure(`\n\n${options.note}\n`);
  const kept: string[] = [];
  let size = 0;
  const state: OpenState = { fence: undefined, details: 0 };
  for (const line of lines) {
    const next = advance(state, line);
    const added = measure(line) + (kept.length > 0 ? 1 : 0);
    if (size + added + measure(closers(next)) + noteSize > options.limit) break;
    kept.push(line);
    size += added;
    state.fence = next.fence;
    state.details = next.details;
  }
  const tail = closers(state);
  const out = `${kept.join('\n')}${tail}\n\n${options.note}\n`;
  if (measure(out) > options.limit) throw new RangeError(`the truncation note alone exceeds the limit of ${options.limit}`);
  return { text: out, truncated: true, keptLines: kept.length, totalLines: lines.length };
}

interface OpenState {
  fence: string | undefined;
  details: number;
}

/** The open constructs after one more line. */
function advance(state: OpenState, line: string): OpenState {
  const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  if (state.fence !== undefined) {
    // A closing fence uses the opening's character, at least as many, and nothing after it.
    if (fence && fence[1]![0] === state.fence[0] && fence[1]!.length >= state.fence.length && fence[2]!.trim() === '') {
      return { fence: undefined, details: state.details };
    }
    return state;
  }
  if (fence) return { fence: fence[1]!, details: state.details };
  const opened = line.match(/<details\b/gi)?.length ?? 0;
  const closed = line.match(/<\/details\s*>/gi)?.length ?? 0;
  return { fence: undefined, details: Math.max(0, state.details + opened - closed) };
}

/** The lines that close what is open, each preceded by a newline. */
function closers(state: OpenState): string {
  return (state.fence !== undefined ? `\n${state.fence}` : '') + '\n\n</details>'.repeat(state.details);
}
