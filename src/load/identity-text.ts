/**
 * The text rules of identity fields (values, platform, appid) and department ids, shared by the
 * YAML readers and the CSV reader: what reaches the platform is exactly what the user can see.
 */

// Control characters (C0, DEL, C1), invisible format characters (zero-width, bidi controls, BOM)
// and line/paragraph separators: never part of an id someone typed, and invisible in a review.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const EDGE_SPACE = /^\s|\s$/u;

/**
 * The text without the spaces and tabs around it, the only white space YAML itself takes off a
 * plain value (JavaScript's trim() would also take NBSP, U+3000 and others, which YAML keeps).
 */
export function trimBlanks(text: string): string {
  const n = text.length;
  if (n === 0) return text;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  if (first !== 32 && first !== 9 && last !== 32 && last !== 9) return text;
  let s = 0;
  let e = n;
  while (s < e && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  while (e > s && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  return text.slice(s, e);
}

/**
 * Why a (trimmed) identity field cannot be sent as written, or undefined: a control or invisible
 * character anywhere (they would also let two different members share a key), or white space other
 * than spaces and tabs at either end (NBSP, U+3000...). `what` names the field, e.g. `phone value`.
 */
export function identityTextProblem(what: string, text: string): string | undefined {
  const bad = INVISIBLE.exec(text);
  if (bad) return `${what} contains ${describeChar(bad[0])}: remove it (it would be sent to the platform as part of the value)`;
  const edge = EDGE_SPACE.exec(text);
  if (edge) return `${what} ${edge.index === 0 ? 'starts' : 'ends'} with ${describeChar(edge[0])}, an invisible space: remove it`;
  return undefined;
}

/** True when identityTextProblem finds nothing (for the fast reader, which only needs to know). */
export function isCleanIdentityText(text: string): boolean {
  return !INVISIBLE.test(text) && !EDGE_SPACE.test(text);
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 9) return `a tab (${hex})`;
  if (code === 10 || code === 13) return `a line break (${hex})`;
  if (/\p{Cc}/u.test(c)) return `the control character ${hex}`;
  if (/\p{Cf}/u.test(c)) return `the invisible character ${hex}`;
  return `the character ${hex}`;
}
