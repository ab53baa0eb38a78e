import { createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1); the body is re-sent whole, so its length is set anew. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length']);

export interface HoldingProxy {
  /** http://127.0.0.1:PORT: point the client here instead of at the target. */
  readonly url: string;
  /** Drops held answers (their sockets are destroyed) and stops listening. */
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 (port 0) in front of `target` (e.g. a sandbox). Each request is
 * forwarded at once, so the target sees it and acts on it; its answer is passed back only once
 * `hold(index)` (requests count from 0) has resolved, or at once when it returns undefined. A test
 * thus decides exactly when a client gets an answer, and can signal the client while a request is
 * provably in flight instead of racing the answer's latency.
 */
export async function startHoldingProxy(target: string, hold: (index: number) => Promise<void> | undefined): Promise<HoldingProxy> {
  let count = 0;
  const server = createServer((req, res) => {
    const index = count++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // No connection pool towards the target: nothing is left open when the test closes it.
      const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: forwardable(req.headers, body.length), agent: false }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const pass = (): void => {
            const text = Buffer.concat(parts);
            res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers, text.length));
            res.end(text);
          };
          const held = hold(index);
          if (held) held.then(pass, () => req.socket.destroy());
          else pass();
        });
      });
      // The target dropped the connection (a fault it was told to inject): the client sees the same.
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  return listenOnLoopback(server);
}

function forwardable(headers: IncomingHttpHeaders, length: number): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { 'content-length': String(length) };
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
  return out;
}
