/**
 * Exponential backoff with "equal jitter": half of the exponential step is kept, the other half is
 * random, so concurrent clients spread out without any wait collapsing to zero.
 * `retry` counts from 1; `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.min(maxMs, Math.round(step / 2 + random() * (step / 2)));
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds, capped at `maxMs`; undefined when the
 * header is absent or unreadable. It is either delay-seconds or an HTTP date (RFC 9110 §10.2.3);
 * fractional seconds are accepted because some servers send them.
 */
export function retryAfterDelay(header: string | null, nowMs: number, maxMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP date always names a day and month; without letters it is a malformed number such as "-1".
    if (!/[A-Za-z]/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(maxMs, Math.max(0, Math.round(ms)));
}

/**
 * The wait before retry number `retry` (from 1): `retryAfterMs` (from retryAfterDelay) when the
 * server asked for a wait still ahead, else the exponential backoff with jitter.
 *
 * Why the backoff is the floor when Retry-After is 0 or an HTTP date already past: taken literally
 * it asks for an immediate retry, and a server that keeps answering so (a clock running ahead of
 * ours, a stale rate-limit reset time) would get every remaining attempt at once, right after it
 * said it was overloaded. Its "now" is read as "no particular wait", which is what the backoff is for.
 * A positive Retry-After is honoured as sent (capped at `maxMs`), even when shorter than the
 * backoff: it is the server's own schedule for this client.
 */
export function retryWait(retryAfterMs: number | undefined, retry: number, baseMs: number, maxMs: number, random: () => number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs;
  return backoffDelay(retry, baseMs, maxMs, random);
}
