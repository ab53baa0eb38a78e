import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** A request as the bare server saw it. */
export interface BareRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * How to answer one request: a response; a response whose body stops after `partial` and never
 * ends (`stall`); `drop` (destroy the socket without answering, after the body was read); or `hang`
 * (never answer). Stalled and hanging sockets are destroyed when the server closes.
 */
export type BareReply = { status?: number; headers?: Record<string, string>; body?: string } | { status?: number; headers?: Record<string, string>; stall: string } | 'drop' | 'hang';

export interface BareServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: BareRequest[];
  close(): Promise<void>;
}

/**
 * A plain node:http server on 127.0.0.1, port 0, answering each request with `reply(request, index)`.
 * Tests script status codes, headers and bodies exactly, and count what the client sent.
 */
export async function startBareServer(reply: (request: BareRequest, index: number) => BareReply | Promise<BareReply>): Promise<BareServer> {
  const requests: BareRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: BareRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = requests.push(request) - 1;
      void Promise.resolve(reply(request, index)).then((answer) => {
        if (answer === 'hang') return;
        if (answer === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        if ('stall' in answer) res.write(answer.stall);
        else res.end(answer.body ?? '');
      });
    });
  });
  const loopback = await listenOnLoopback(server);
  // close is idempotent, so that a test may close early (to refuse connections) and afterEach still closes.
  return { ...loopback, requests };
}
