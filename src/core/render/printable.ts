/** Control characters (C0, DEL, C1) and bidirectional overrides: invisible, or they drive the terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows control and bidi-override characters as `\uXXXX`: text from YAML (a quoted "\e[2J" in an
 * identity value) must not clear or retitle a terminal, colour output under NO_COLOR, or reorder
 * what a reviewer reads.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
