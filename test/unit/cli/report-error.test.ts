import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { reportError } from '../../../src/cli/report-error.js';
import { ApiError, UnsafePlanError } from '../../../src/errors/index.js';

function stderrOf(err: unknown): string {
  let text = '';
  const io: CliIo = { stdout: { write: () => true }, stderr: { write: (s: string) => (text += s) }, env: {}, cwd: '/' };
  reportError(io, err);
  return text;
}

describe('reportError', () => {
  it("shows the control characters of a server's message as escapes, keeping the message's own lines", () => {
    const err = new ApiError({
      kind: 'rejected',
      endpoint: 'https://api.test/x',
      summary: 'HTTP 200 with code "500"',
      errorCode: 'E\u001b[2J',
      msg: 'busy\u001b]0;owned\u0007',
      retryable: false,
      attempts: 1,
      hint: 'try later',
    });
    const text = stderrOf(err);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('[E\\u001b[2J: busy\\u001b]0;owned\\u0007]');
    expect(text.split('\n')).toEqual(['error: POST https://api.test/x failed: HTTP 200 with code "500" [E\\u001b[2J: busy\\u001b]0;owned\\u0007] (1 attempt)', 'hint: try later', '']);
  });

  it('prints a refusal with its override on the next line', () => {
    expect(stderrOf(new UnsafePlanError('refusing to apply: too many deletes.', 'Run with --allow-mass-delete.'))).toBe('error: refusing to apply: too many deletes.\nRun with --allow-mass-delete.\n');
  });
});
