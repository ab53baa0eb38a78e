import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AttemptTimeoutError, ConnectionError, createTransport } from '../../src/api/http-transport.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server on 127.0.0.1:0 that echoes the body's length and counts the connections it accepted. */
async function countingServer(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.end(`{"bytes":${bytes},"length":"${req.headers['content-length'] ?? ''}"}`));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x`, connections: () => connections };
}

describe('createTransport', () => {
  it('closes a kept-alive connection once it has been idle for idleMs, and sends the next request on a new one', async () => {
    const { url, connections } = await countingServer();
    let closed!: () => void;
    const serverSideClosed = new Promise<void>((resolve) => (closed = resolve));
    server!.on('connection', (socket) => socket.on('close', () => closed()));
    const transport = createTransport(url, {}, 5_000, 50);
    await transport.post(Buffer.from('{}'));
    // The client closes it (nothing else would: the server keeps idle connections for 5 s).
    await serverSideClosed;
    await transport.post(Buffer.from('{}'));
    expect(connections()).toBe(2);
  });

  it('keeps connections alive: sequential requests share one connection', async () => {
    const { url, connections } = await countingServer();
    const transport = createTransport(url, { 'content-type': 'application/json' }, 5_000);
    for (let i = 0; i < 5; i++) {
      const answer = await transport.post(Buffer.from('{"a":"客户"}', 'utf8'));
      expect(answer.status).toBe(200);
      // content-length counts bytes, not characters.
      expect(JSON.parse(answer.text)).toEqual({ bytes: 14, length: '14' });
    }
    expect(connections()).toBe(1);
  });

  it('rejects with an AttemptTimeoutError when no answer comes within the deadline', async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const transport = createTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, 50);
    await expect(transport.post(Buffer.from('{}'))).rejects.toBeInstanceOf(AttemptTimeoutError);
  });

  it('rejects with a ConnectionError naming the system error when the connection is refused', async () => {
    const { url } = await countingServer();
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const failure = createTransport(url, {}, 5_000).post(Buffer.from('{}'));
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toMatchObject({ detail: expect.stringMatching(/^ECONNREFUSED: /) });
  });
});
