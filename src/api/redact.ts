/** What a secret is replaced with wherever it would otherwise be shown. */
export const REDACTED = '[redacted]';

/**
 * Removes every occurrence of `secret` from a text that came from outside (a server's message, a
 * socket error): a misbehaving server or proxy could echo the token back.
 */
export function redactSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join(REDACTED);
}

/** Removes every one of `secrets` from a text; built once per client. */
export type Redact = (text: string) => string;

/**
 * A Redact for several secrets (the token, a hidden path of the base URL), longest first so that
 * a secret holding another is removed whole.
 */
export function createRedactor(secrets: readonly string[]): Redact {
  const ordered = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  if (ordered.length === 1) {
    const [only] = ordered as [string];
    return (text) => redactSecret(text, only);
  }
  return (text) => ordered.reduce(redactSecret, text);
}
