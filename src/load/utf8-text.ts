import type { SourceIssue } from '../errors/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's bytes as text, strictly: bytes that are not UTF-8 (a GBK export, say) are an issue at
 * the first of them, with `message` saying what to do, never replacement characters.
 */
export function decodeUtf8(file: string, bytes: Uint8Array, message: string): { ok: true; text: string } | { ok: false; issue: SourceIssue } {
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, issue: { file, ...firstInvalidUtf8(bytes), message } };
  }
}

/** The line and column (in bytes) of the first byte that is not valid UTF-8, for the message. */
export function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
      continue;
    }
    if (b < 0x80) continue;
    const len = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    const slice = bytes.subarray(i, i + len);
    try {
      if (len === 0) throw new Error();
      utf8.decode(slice);
      i += len - 1;
    } catch {
      return { line, column: i - lineStart + 1 };
    }
  }
  return { line: 1, column: 1 };
}
