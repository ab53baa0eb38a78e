import { parse, stringify } from 'lossless-json';

/**
 * Parses JSON keeping every number as a LosslessNumber (its exact text): batch IDs exceed 2^53 and
 * JSON.parse would round them. Throws SyntaxError on invalid JSON.
 */
export function parseLossless(text: string): unknown {
  return parse(text);
}

/** Stringifies JSON writing LosslessNumbers digit for digit (deptId is a long on the wire). */
export function stringifyLossless(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('the value has no JSON representation');
  return text;
}
