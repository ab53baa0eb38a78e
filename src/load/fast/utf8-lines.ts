import { isUtf8 } from 'node:buffer';

/**
 * The lines of UTF-8 bytes, each decoded on its own; undefined when the bytes are not UTF-8. A
 * file decoded whole is one string, stored two bytes per character as soon as one character needs
 * it (a Chinese group name): every member value read from it would then be a two-byte string, or
 * a slice keeping the whole file alive. Decoded per line, the ASCII lines of member values are
 * one-byte strings of their own.
 */
export function utf8Lines(bytes: Uint8Array): string[] | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) return undefined;
  const lines: string[] = [];
  // As TextDecoder does, a leading byte-order mark is not part of the text.
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (let end = buf.indexOf(10, start); end !== -1; end = buf.indexOf(10, start)) {
    lines.push(buf.toString('utf8', start, end));
    start = end + 1;
  }
  lines.push(buf.toString('utf8', start));
  return lines;
}
