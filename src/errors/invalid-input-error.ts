import { GroupopsError } from './groupops-error.js';
import { formatIssue, type SourceIssue } from './source-issue.js';

/** Group files, config or snapshot that cannot be used; carries every issue found, not only the first. */
export class InvalidInputError extends GroupopsError {
  override readonly name = 'InvalidInputError';
  readonly issues: readonly SourceIssue[];
  /** What was invalid, the message's first line (e.g. "the group files are invalid"). */
  readonly summary: string;

  constructor(issues: readonly SourceIssue[], summary?: string) {
    const head = summary ?? `${issues.length} problem${issues.length === 1 ? '' : 's'} found`;
    super('INVALID_INPUT', `${head}:\n${issues.map(formatIssue).join('\n')}`);
    this.issues = issues;
    this.summary = head;
  }
}
