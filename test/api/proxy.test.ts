import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFromEnv } from '../../src/api/proxy.js';
import { createV2Client } from '../../src/api/v2-client.js';
import { ApiError, GroupopsError } from '../../src/errors/index.js';
import { startBareServer, type BareServer } from '../helpers/bare-server.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { smallBatch } from './batch-builders.js';

const TOKEN = 'tok-proxy-5d1e-secret';
const OK = '{"code":"200","errorCode":"SUCCESS","msg":"ok","data":15314513451345123}';

let server: BareServer | undefined;
let proxy: ConnectProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

const client = (baseUrl: string, proxySettings: Parameters<typeof createV2Client>[0]['proxy']) =>
  createV2Client({ baseUrl, pathPrefix: '/api/integrate', token: TOKEN, timeoutMs: 5_000, retries: 0, ...(proxySettings ? { proxy: proxySettings } : {}) });

describe('the clients go through the proxy of HTTP_PROXY / HTTPS_PROXY unless NO_PROXY names the host', () => {
  it('tunnels the request through the proxy (CONNECT) and gets the answer back', async () => {
    server = await startBareServer(() => ({ body: OK }));
    proxy = await startConnectProxy();
    const api = client(server.url, { httpProxy: proxy.url });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(proxy.tunnels.map((t) => t.target)).toEqual([new URL(server.url).host]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers['x-token']).toBe(TOKEN);
  });

  it('goes straight to the API when NO_PROXY names its host', async () => {
    server = await startBareServer(() => ({ body: OK }));
    proxy = await startConnectProxy();
    const api = client(server.url, { httpProxy: proxy.url, noProxy: 'example.com,127.0.0.1' });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(proxy.tunnels).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('sends the proxy credentials of the proxy URL to the proxy, and never shows them', async () => {
    server = await startBareServer(() => ({ body: OK }));
    proxy = await startConnectProxy({ requireAuth: `Basic ${Buffer.from('alice:pr0xy-pw').toString('base64')}` });
    const withAuth = client(server.url, { httpProxy: proxy.url.replace('http://', 'http://alice:pr0xy-pw@') });
    expect((await withAuth.sendBatch(smallBatch())).batchId).toBe('15314513451345123');

    const wrong = client(server.url, { httpProxy: proxy.url.replace('http://', 'http://alice:wr0ng-pw@') });
    const err = (await wrong.sendBatch(smallBatch()).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.kind).toBe('network');
    for (const text of [err.message, String(err.stack), inspect(err, { depth: null })]) {
      expect(text).not.toContain('wr0ng-pw');
      expect(text).not.toContain(TOKEN);
    }
    expect(server.requests).toHaveLength(1);
  });

  it('names the proxy variable when the connection to the proxy is refused', async () => {
    server = await startBareServer(() => ({ body: OK }));
    proxy = await startConnectProxy();
    const url = proxy.url;
    await proxy.close();
    proxy = undefined;
    const err = (await client(server.url, { httpProxy: url })
      .sendBatch(smallBatch())
      .catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ kind: 'network' });
    expect(err.hint).toContain(`HTTP_PROXY is set (${url})`);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a proxy address that is not a URL without quoting it', () => {
    let err: unknown;
    try {
      client('http://127.0.0.1:9', { httpsProxy: 'http://user:pw-s3cret@[bad' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GroupopsError);
    expect((err as GroupopsError).message).toMatch(/^HTTPS_PROXY is not a valid proxy URL/);
    expect((err as GroupopsError).message).not.toContain('pw-s3cret');
  });
});

describe('proxyFromEnv', () => {
  it('reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY, lower case first, ignoring empty values', () => {
    expect(proxyFromEnv({})).toEqual({});
    expect(proxyFromEnv({ HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:2', NO_PROXY: 'localhost' })).toEqual({ httpProxy: 'http://a:1', httpsProxy: 'http://b:2', noProxy: 'localhost' });
    expect(proxyFromEnv({ https_proxy: 'http://lower:3', HTTPS_PROXY: 'http://upper:4', no_proxy: ' ', NO_PROXY: '.corp' })).toEqual({ httpsProxy: 'http://lower:3', noProxy: '.corp' });
  });
});
