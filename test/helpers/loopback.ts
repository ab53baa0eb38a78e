import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A test server listening on 127.0.0.1 at a free port. */
export interface Loopback {
  readonly url: string;
  /** Destroys every open connection (stalled or held ones too) and stops listening; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts `server` on 127.0.0.1, port 0, keeping its connections so that closing does not wait for
 * a stalled or held one (server.close alone waits for every connection to end).
 */
export async function listenOnLoopback(server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
