/** A problem in an input file, at a position a user can jump to. Lines and columns start at 1. */
export interface SourceIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /**
   * Identity values (or text that may hold one) that `message` quotes verbatim, so that output a
   * PR reader sees can mask them (core/render/mask-issue.ts); absent when it quotes none.
   */
  readonly sensitive?: readonly string[];
}

/** `path:line:col: message`, the form editors and CI logs link. */
export function formatIssue(issue: SourceIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** Sorts issues by file, then position. */
export function sortIssues(issues: readonly SourceIssue[]): SourceIssue[] {
  return [...issues].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)));
}
