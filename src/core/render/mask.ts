/**
 * Masks an identity value for readers who must not see it: long values keep three leading and
 * four trailing characters (18888888888 -> 188****8888), shorter ones less, and four or fewer
 * characters are hidden whole.
 */
export function maskValue(value: string): string {
  const chars = [...value];
  const n = chars.length;
  const [head, tail] = n >= 11 ? [3, 4] : n >= 7 ? [2, 2] : n >= 5 ? [1, 1] : [0, 0];
  if (head === 0) return '****';
  return `${chars.slice(0, head).join('')}****${chars.slice(n - tail).join('')}`;
}
