import { isLosslessNumber, parse, stringify } from 'lossless-json';

/**
 * Parses JSON keeping every number as a LosslessNumber (its exact text): batch IDs exceed 2^53 and
 * JSON.parse would round them. Throws SyntaxError on invalid JSON.
 */
export function parseLossless(text: string): unknown {
  return parse(text);
}

/** What stands in for a LosslessNumber while JSON.stringify runs; a NUL cannot come from our own text unescaped. */
const MARK = '\u0000lossless-number\u0000';
const MARK_JSON = JSON.stringify(MARK);

/**
 * Stringifies JSON writing LosslessNumbers digit for digit (deptId is a long on the wire): exactly
 * what lossless-json's stringify writes. Every request body goes through here, so the native
 * JSON.stringify does the work, with each LosslessNumber written as a mark and its digits spliced
 * in after; a key or string holding a NUL (which could spell the mark), or a BigInt, leaves it to
 * lossless-json.
 */
export function stringifyLossless(value: unknown): string {
  const digits: string[] = [];
  let fallback = false;
  const text = JSON.stringify(value, (key: string, v: unknown) => {
    if (isLosslessNumber(v)) {
      digits.push(v.toString());
      return MARK;
    }
    // Text that could spell the mark, and BigInts (which JSON.stringify refuses), go the slow way.
    if (key.includes('\u0000') || (typeof v === 'string' && v.includes('\u0000'))) fallback = true;
    else if (typeof v === 'bigint') {
      fallback = true;
      return null;
    }
    return v;
  });
  if (fallback) return losslessStringify(value);
  if (text === undefined) throw new TypeError('the value has no JSON representation');
  if (digits.length === 0) return text;
  const parts = text.split(MARK_JSON);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += digits[i - 1]! + parts[i]!;
  return out;
}

function losslessStringify(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('the value has no JSON representation');
  return text;
}
