import { createWriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { appendStepSummary } from './step-summary.js';

/**
 * What a GitHub step writes besides the GitHub API: its log, the job summary and files for a later
 * step. The flows take it as a port; `actionsStepIo` is the real one, tests pass an in-memory one.
 */
export interface StepIo {
  /** Workflow commands and progress lines (the step's stdout). */
  out(line: string): void;
  /** Appends Markdown to the job summary; false when there is none (outside Actions), so the caller prints it. */
  appendSummary(markdown: string): Promise<boolean>;
  /** Writes a file for a later step of the job (an artifact to upload) and returns its path. */
  writeFile(name: string, chunks: Iterable<string | Uint8Array>): Promise<string>;
}

/**
 * The step I/O of a GitHub Actions step: GITHUB_STEP_SUMMARY, and files under RUNNER_TEMP (the
 * runner's temporary folder, emptied after every job; the system's outside Actions).
 */
export function actionsStepIo(env: NodeJS.ProcessEnv, out: (line: string) => void): StepIo {
  return {
    out,
    appendSummary: (markdown) => appendStepSummary(env.GITHUB_STEP_SUMMARY || undefined, markdown),
    async writeFile(name, chunks) {
      const path = join(env.RUNNER_TEMP || tmpdir(), name);
      // Streamed: a JSON plan of a million changes is hundreds of MiB, never held whole.
      await pipeline(Readable.from(chunks), createWriteStream(path));
      return path;
    },
  };
}

/**
 * Appends step outputs to GITHUB_OUTPUT (`name=value` lines) for the workflow's later steps: the one
 * place the github commands hand their result values to the workflow. Values hold no line break.
 */
export async function writeStepOutputs(path: string | undefined, outputs: Readonly<Record<string, string | undefined>>): Promise<void> {
  const lines = Object.entries(outputs).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value.replace(/[\r\n]+/g, ' ')}\n`]));
  if (!path || lines.length === 0) return;
  await appendFile(path, lines.join(''), 'utf8');
}
