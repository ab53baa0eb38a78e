import { GroupopsError, InvalidInputError, formatIssue, type SourceIssue } from '../errors/index.js';
import { plural } from '../core/render/describe.js';
import { maskIssue } from '../core/render/mask-issue.js';
import { printable } from '../core/render/printable.js';
import type { CliIo } from './io.js';

/**
 * Prints an error for people: issues one per line (path:line:col: message), never a stack for
 * expected errors. `mask` masks the identity values issues quote, for logs others read (the
 * GitHub apply step's); a terminal shows them as written.
 */
export function reportError(io: CliIo, err: unknown, options: { mask?: boolean } = {}): void {
  if (err instanceof InvalidInputError) {
    // Messages quote values from the files: keep their control characters off the terminal.
    for (const issue of err.issues) io.stderr.write(`${printable(formatIssue(options.mask ? maskIssue(issue) : issue))}\n`);
    const files = new Set(err.issues.map((i) => i.file)).size;
    io.stderr.write(`error: ${err.message.split('\n')[0]!.replace(/:$/, '')} (${plural(err.issues.length, 'problem')} in ${plural(files, 'file')}); nothing was changed\n`);
    return;
  }
  if (err instanceof GroupopsError) {
    // API errors quote the server's errorCode and msg: keep their control characters off the terminal too.
    io.stderr.write(`error: ${err.message.split('\n').map(printable).join('\n')}\n`);
    return;
  }
  const e = err as Error;
  io.stderr.write(`error: internal error (this is a bug in groupops): ${e?.stack ?? String(err)}\n`);
}

/**
 * Prints warnings for people, one per line (path:line:col: warning: message): what is valid but
 * probably not meant. They never change the exit status.
 */
export function reportWarnings(io: CliIo, warnings: readonly SourceIssue[], options: { mask: boolean }): void {
  for (const w of warnings) {
    const issue = options.mask ? maskIssue(w) : w;
    io.stderr.write(`${printable(formatIssue({ ...issue, message: `warning: ${issue.message}` }))}\n`);
  }
}
