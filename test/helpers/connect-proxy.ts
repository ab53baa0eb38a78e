import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback.js';

/** A CONNECT request the proxy received. */
export interface Tunnel {
  /** host:port the client asked to reach. */
  readonly target: string;
  /** The Proxy-Authorization header, if the client sent one. */
  readonly authorization: string | undefined;
}

export interface ConnectProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every tunnel asked for, in order. */
  readonly tunnels: Tunnel[];
  /** Destroys every tunnel (both sides) and stops listening. */
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 (port 0) that opens CONNECT tunnels, as a corporate proxy does for
 * HTTPS_PROXY/HTTP_PROXY clients (undici tunnels http:// as well as https://). With `requireAuth`
 * it answers 407 to a CONNECT without exactly that Proxy-Authorization header.
 */
export async function startConnectProxy(options: { requireAuth?: string } = {}): Promise<ConnectProxy> {
  const tunnels: Tunnel[] = [];
  const upstreams = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('this test proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const authorization = req.headers['proxy-authorization'];
    tunnels.push({ target: req.url ?? '', authorization });
    if (options.requireAuth !== undefined && authorization !== options.requireAuth) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstreams.add(upstream);
    upstream.on('close', () => {
      upstreams.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    tunnels,
    close: async () => {
      for (const s of upstreams) s.destroy();
      await loopback.close();
    },
  };
}
