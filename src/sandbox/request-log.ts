import type { IncomingHttpHeaders } from 'node:http';
import { parseForLog } from './http.js';
import type { SandboxRequestLog } from './types.js';

const SECRET_HEADERS = new Set(['x-token', 'authorization', 'cookie']);

/** Request headers for the log, with secrets replaced: the log is printed by tests and the inspection API. */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A log entry whose `body` (the parsed bodyText) is parsed when first read: the API path has its
 * own exact parse, and most logged bodies are never looked at.
 */
export function withParsedBody(entry: Omit<SandboxRequestLog, 'body'>): SandboxRequestLog {
  let parsed: { value: unknown } | undefined;
  return Object.defineProperty({ ...entry }, 'body', {
    enumerable: true,
    get: () => (parsed ??= { value: parseForLog(entry.bodyText) }).value,
  }) as SandboxRequestLog;
}

/** The requests seen, oldest first, keeping the last `limit` (a long fault-injection run stays bounded). */
export class RequestLog {
  #entries: SandboxRequestLog[] = [];
  #seq = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The next sequence number. */
  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  push(entry: SandboxRequestLog): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
  }

  entries(): SandboxRequestLog[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
    this.#seq = 0;
  }
}
