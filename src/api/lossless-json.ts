import { parse } from 'lossless-json';

/**
 * Parses JSON keeping every number as a LosslessNumber (its exact text): batch IDs exceed 2^53 and
 * JSON.parse would round them. Throws SyntaxError on invalid JSON.
 */
export function parseLossless(text: string): unknown {
  return parse(text);
}
