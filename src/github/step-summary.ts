import { appendFile } from 'node:fs/promises';
import { truncateMarkdown } from './truncate.js';

/** GitHub refuses a step summary over 1 MiB (and then shows none of it). */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * Appends Markdown to the job summary (GITHUB_STEP_SUMMARY). Text over GitHub's 1 MiB limit is cut at
 * a line boundary with a note, so that the summary still shows. Returns false when there is no
 * summary file (outside Actions), so the caller can print the Markdown instead.
 */
export async function appendStepSummary(path: string | undefined, markdown: string, alreadyWrittenBytes = 0): Promise<boolean> {
  if (!path) return false;
  const cut = truncateMarkdown(markdown, {
    limit: STEP_SUMMARY_LIMIT_BYTES - alreadyWrittenBytes,
    measure: (s) => Buffer.byteLength(s, 'utf8'),
    note: '> ⚠️ **Cut here**: a job summary holds at most 1 MiB. Run `groupops plan` in a checkout of this commit for the full plan.',
  });
  await appendFile(path, cut.text.endsWith('\n') ? cut.text : `${cut.text}\n`, 'utf8');
  return true;
}
