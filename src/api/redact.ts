/** What a secret is replaced with wherever it would otherwise be shown. */
export const REDACTED = '[redacted]';

/**
 * Removes every occurrence of `secret` from a text that came from outside (a server's message, a
 * socket error): a misbehaving server or proxy could echo the token back.
 */
export function redactSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join(REDACTED);
}
