import { createServer } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { MembershipApi } from '../../src/app/ports.js';
import { createV2Client, type ApiClientOptions } from '../../src/api/v2-client.js';
import { ApiError, GroupopsError } from '../../src/errors/index.js';
import { startBareServer, type BareReply, type BareRequest, type BareServer } from '../helpers/bare-server.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { batch, item, phone, smallBatch } from './batch-builders.js';

const TOKEN = 'tok-7c1e9a52-very-secret';
const OK = '{"code":"200","errorCode":"SUCCESS","msg":"ok","data":15314513451345123}';
const PATH = '/api/integrate/audience/group/rel/v2/batchAdd';

let server: BareServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Retry = { attempt: number; delayMs: number; reason: string };

async function clientFor(
  reply: (req: BareRequest, index: number) => BareReply | Promise<BareReply>,
  options: Partial<ApiClientOptions> = {},
): Promise<{ api: MembershipApi; retries: Retry[]; server: BareServer }> {
  server = await startBareServer(reply);
  const retries: Retry[] = [];
  const api = createV2Client({
    baseUrl: server.url,
    pathPrefix: '/api/integrate',
    token: TOKEN,
    timeoutMs: 5_000,
    retries: 3,
    retryBaseMs: 1,
    retryMaxMs: 50,
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { api, retries, server };
}

/** Runs a call that must fail and returns its error. */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

/** Every way an error gets printed or logged. */
function renderings(err: Error): string[] {
  return [String(err), err.message, err.stack ?? '', JSON.stringify(err), inspect(err, { depth: null, showHidden: true })];
}

describe('v2 client against a bare server: the request', () => {
  it('POSTs the JSON body with X-Token to the v2 path and returns the batch ID digit for digit', async () => {
    const { api, server } = await clientFor(() => ({ body: OK }));
    const receipt = await api.sendBatch(batch('add', item([phone('18888888888')], ['group1', 'group2'])));
    expect(receipt.batchId).toBe('15314513451345123');
    expect(api.endpoint).toBe(`${server.url}${PATH}`);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests as [BareRequest];
    expect(req.method).toBe('POST');
    expect(req.url).toBe(PATH);
    expect(req.headers['x-token']).toBe(TOKEN);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^groupops\//);
    expect(req.body).toBe('{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"18888888888","identityType":"phone"}],"groups":"group1,group2","categoryType":"1"}]}');
    // The receipt speaks the model: no wire bytes leave the client.
    expect(receipt).toEqual({ batchId: '15314513451345123' });
  });

  it('sends matchingType when configured', async () => {
    const { api, server } = await clientFor(() => ({ body: OK }), { matchingType: 1 });
    await api.sendBatch(smallBatch('delete'));
    expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({ publicParams: { optType: 'delete', matchingType: 1 } });
  });

  it('keeps IDs beyond 2^53 exact, also when quoted', async () => {
    const ids = ['9007199254740993', '"18446744073709551617"'];
    const { api } = await clientFor((_r, i) => ({ body: `{"code":"200","errorCode":"SUCCESS","msg":"ok","data":${ids[i] ?? ''}}` }));
    expect((await api.sendBatch(smallBatch())).batchId).toBe('9007199254740993');
    expect((await api.sendBatch(smallBatch())).batchId).toBe('18446744073709551617');
  });
});

describe('v2 client: connections', () => {
  /** A plain server counting the connections it accepted and closing idle ones after `keepAliveMs`. */
  async function countingServer(keepAliveMs = 5_000): Promise<{ url: string; connections: () => number; closed: () => Promise<void>; close: () => Promise<void> }> {
    let connections = 0;
    let onClose: (() => void) | undefined;
    const http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // The body arrives whole, and content-length counts its UTF-8 bytes.
        expect(Number(req.headers['content-length'])).toBe(Buffer.concat(chunks).length);
        res.end(OK);
      });
    });
    http.keepAliveTimeout = keepAliveMs;
    http.on('connection', (socket) => {
      connections++;
      socket.on('close', () => onClose?.());
    });
    const loopback = await listenOnLoopback(http);
    return { url: loopback.url, connections: () => connections, closed: () => new Promise((resolve) => (onClose = resolve)), close: loopback.close };
  }

  it('keeps connections alive: twenty sequential requests go over two connections at most', async () => {
    const counting = await countingServer();
    try {
      const api = createV2Client({ baseUrl: counting.url, pathPrefix: '/api/integrate', token: TOKEN, timeoutMs: 5_000, retries: 0 });
      for (let i = 0; i < 20; i++) expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
      // undici checks a connection that just went idle before reusing it (a turn of the event loop),
      // and opens a second one for a request sent in that turn; both are then kept and reused.
      expect(counting.connections()).toBeLessThanOrEqual(2);
    } finally {
      await counting.close();
    }
  });

  it('does not reuse a connection the server closed while it was idle: the next request goes out on a new one, without a retry', async () => {
    const counting = await countingServer(50);
    try {
      const retried: string[] = [];
      const api = createV2Client({ baseUrl: counting.url, pathPrefix: '/api/integrate', token: TOKEN, timeoutMs: 5_000, retries: 0, onRetry: (r) => retried.push(r.reason) });
      const closed = counting.closed();
      await api.sendBatch(smallBatch());
      await closed;
      expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
      expect(counting.connections()).toBe(2);
      expect(retried).toEqual([]);
    } finally {
      await counting.close();
    }
  });
});

describe('v2 client against a bare server: retries', () => {
  it('retries 500, 502, 503 and 504, then succeeds', async () => {
    const statuses = [500, 502, 503];
    const { api, server, retries } = await clientFor((_r, i) =>
      i < statuses.length ? { status: statuses[i] ?? 500, headers: { 'content-type': 'text/html' }, body: '<html>busy</html>' } : { body: OK },
    );
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(4);
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [2, 'HTTP 500'],
      [3, 'HTTP 502'],
      [4, 'HTTP 503'],
    ]);
  });

  it('backs off exponentially with jitter, within the cap', async () => {
    const { api, retries } = await clientFor((_r, i) => (i < 3 ? { status: 504 } : { body: OK }), { retryBaseMs: 8, retryMaxMs: 20, random: () => 0 });
    await api.sendBatch(smallBatch());
    // equal jitter with random 0 keeps half of each step: 8 -> 4, 16 -> 8, 32 capped at 20 -> 10
    expect(retries.map((r) => r.delayMs)).toEqual([4, 8, 10]);
  });

  it('waits what Retry-After asks on 429 and 503 instead of the backoff', async () => {
    const answers: BareReply[] = [
      { status: 429, headers: { 'retry-after': '0.03' }, body: '{"code":"429","errorCode":"TOO_MANY_REQUESTS","msg":"slow down"}' },
      { status: 503, headers: { 'retry-after': '0.02' } },
      { body: OK },
    ];
    const { api, retries, server } = await clientFor((_r, i) => answers[i] ?? 'drop', { retryBaseMs: 10_000, retryMaxMs: 60_000 });
    await api.sendBatch(smallBatch());
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.delayMs)).toEqual([30, 20]);
    expect(retries[0]?.reason).toBe('HTTP 429, Retry-After 0.03');
  });

  for (const [what, header] of [
    ['a date in the past', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['0', '0'],
  ] as const) {
    it(`backs off instead of retrying at once when Retry-After is ${what}`, async () => {
      const { api, retries, server } = await clientFor((_r, i) => (i < 3 ? { status: 429, headers: { 'retry-after': header } } : { body: OK }), { retryBaseMs: 8, retryMaxMs: 1000, random: () => 0 });
      await api.sendBatch(smallBatch());
      expect(server.requests).toHaveLength(4);
      // The same waits as without the header: 8 -> 4, 16 -> 8, 32 -> 16 (equal jitter with random 0).
      expect(retries.map((r) => r.delayMs)).toEqual([4, 8, 16]);
      expect(retries[0]?.reason).toBe(`HTTP 429, Retry-After ${header} (already due: backing off)`);
    });
  }

  it('caps a long Retry-After at retryMaxMs', async () => {
    const { api, retries } = await clientFor((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : { body: OK }), { retryMaxMs: 25 });
    await api.sendBatch(smallBatch());
    expect(retries.map((r) => r.delayMs)).toEqual([25]);
  });

  it('retries a dropped connection', async () => {
    const { api, server, retries } = await clientFor((_r, i) => (i === 0 ? 'drop' : { body: OK }));
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(2);
    expect(retries[0]?.reason).toMatch(/^connection failed/);
  });

  it('retries when no answer comes within the timeout', async () => {
    const { api, server, retries } = await clientFor((_r, i) => (i === 0 ? 'hang' : { body: OK }), { timeoutMs: 1_000 });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(2);
    expect(retries[0]?.reason).toBe('no complete answer within 1000 ms');
  });

  it('retries when the body stalls after the headers (the timeout covers the body too)', async () => {
    const { api, server, retries } = await clientFor((_r, i) => (i === 0 ? { stall: '{"code":"200","errorCode":"SUCC' } : { body: OK }), { timeoutMs: 1_000 });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(2);
    expect(retries[0]?.reason).toBe('no complete answer within 1000 ms');
  });

  it('retries a 2xx body that is not the JSON envelope (a proxy page, a cut-off body)', async () => {
    const answers: BareReply[] = [{ headers: { 'content-type': 'text/html' }, body: '<html>gateway</html>' }, { body: '{"code":"200","errorCode":"SUCCESS","msg":"ok","data":153145' }, { body: OK }];
    const { api, server, retries } = await clientFor((_r, i) => answers[i] ?? 'drop');
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 200 with a body that is not the JSON envelope', 'HTTP 200 with a body that is not the JSON envelope']);
  });

  it('gives up after the configured retries with a retryable ApiError', async () => {
    const { api, server } = await clientFor(() => ({ status: 503, body: '{"code":"503","errorCode":"BUSY","msg":"try later"}' }), { retries: 2 });
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(3);
    expect(err).toMatchObject({ kind: 'http', status: 503, errorCode: 'BUSY', msg: 'try later', retryable: true, attempts: 3, code: 'API_ERROR' });
    expect(err.message).toContain('HTTP 503');
    expect(err.message).toContain('3 attempts');
  });

  it('reports a server that refuses connections as a network error', async () => {
    const { api, server } = await clientFor(() => ({ body: OK }), { retries: 1 });
    await server.close();
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err).toMatchObject({ kind: 'network', retryable: true, attempts: 2 });
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('v2 client against a bare server: HTTP 200 with a busy or failing code', () => {
  const BUSY_HINT = /busy|rate limiting/;
  const CONFIG_HINT = /身份类型|用户分组|identity type|permission|RABBITPRE_TOKEN/;

  for (const code of ['500', '502', '503', '504', '429']) {
    it(`retries code "${code}" like HTTP ${code}, then succeeds`, async () => {
      const { api, server, retries } = await clientFor((_r, i) => (i < 2 ? { body: `{"code":"${code}","errorCode":"SYSTEM_BUSY","msg":"系统繁忙","data":null}` } : { body: OK }));
      expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
      expect(server.requests).toHaveLength(3);
      expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
        [2, `HTTP 200 with code "${code}"`],
        [3, `HTTP 200 with code "${code}"`],
      ]);
    });
  }

  it('gives up after the retries saying the server is busy, without blaming identity types or permissions', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"503","errorCode":"SYSTEM_BUSY","msg":"系统繁忙","data":null}' }), { retries: 2 });
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(3);
    expect(err).toMatchObject({ kind: 'rejected', status: 200, errorCode: 'SYSTEM_BUSY', msg: '系统繁忙', retryable: true, attempts: 3 });
    expect(err.message).toContain('HTTP 200 with code "503" [SYSTEM_BUSY: 系统繁忙] (3 attempts)');
    expect(err.hint).toMatch(BUSY_HINT);
    expect(err.hint).toContain('code "503"');
    expect(err.hint).not.toMatch(CONFIG_HINT);
  });

  it('says rate limiting for code "429" and honours its Retry-After', async () => {
    const { api, retries } = await clientFor(() => ({ headers: { 'retry-after': '0.02' }, body: '{"code":"429","errorCode":"TOO_MANY_REQUESTS","msg":"slow down"}' }), {
      retries: 1,
      retryBaseMs: 10_000,
      retryMaxMs: 60_000,
    });
    const err = await failure(api.sendBatch(smallBatch()));
    expect(retries.map((r) => [r.delayMs, r.reason])).toEqual([[20, 'HTTP 200 with code "429", Retry-After 0.02']]);
    expect(err).toMatchObject({ kind: 'rejected', status: 200, retryable: true, attempts: 2 });
    expect(err.hint).toMatch(/rate limiting/);
    expect(err.hint).not.toMatch(CONFIG_HINT);
  });

  it('words an HTTP 503 that stays busy the same way', async () => {
    const { api } = await clientFor(() => ({ status: 503, body: '{"code":"503","errorCode":"SYSTEM_BUSY","msg":"系统繁忙"}' }), { retries: 1 });
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err.hint).toMatch(BUSY_HINT);
    expect(err.hint).toContain('HTTP 503');
    expect(err.hint).not.toMatch(CONFIG_HINT);
  });

  it('does not retry codes that say the server will never handle the request (501, 505)', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"501","errorCode":"NOT_IMPLEMENTED","msg":"no"}' }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'rejected', retryable: false });
    expect(err.hint ?? '').not.toMatch(CONFIG_HINT);
  });
});

describe('v2 client against a bare server: no retry on client errors', () => {
  const cases: [number, RegExp][] = [
    [400, /身份类型管理/],
    [401, /RABBITPRE_TOKEN/],
    [403, /用户 -> 用户分组[\s\S]*身份类型管理/],
    [404, /RABBITPRE_BASE_URL/],
  ];
  for (const [status, hint] of cases) {
    it(`fails at once on HTTP ${status}, saying what to check`, async () => {
      const { api, server, retries } = await clientFor(() => ({ status, body: `{"code":"${status}","errorCode":"E${status}","msg":"no"}` }));
      const err = await failure(api.sendBatch(smallBatch()));
      expect(server.requests).toHaveLength(1);
      expect(retries).toEqual([]);
      expect(err).toMatchObject({ kind: 'http', status, errorCode: `E${status}`, msg: 'no', retryable: false, attempts: 1 });
      expect(err.hint).toMatch(hint);
      expect(err.message).toMatch(hint);
    });
  }

  it('does not follow a redirect (X-Token would go along to wherever it points) and says what to configure', async () => {
    const elsewhere = await startBareServer(() => ({ body: OK }));
    try {
      const { api, server } = await clientFor(() => ({ status: 307, headers: { location: `${elsewhere.url}${PATH}` } }));
      const err = await failure(api.sendBatch(smallBatch()));
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      expect(err).toMatchObject({ kind: 'http', status: 307, retryable: false });
      expect(err.message).toContain(`redirect to ${elsewhere.url}${PATH}`);
      expect(err.hint).toMatch(/RABBITPRE_BASE_URL/);
    } finally {
      await elsewhere.close();
    }
  });

  it('treats HTTP 200 with a client-error code as a failure with errorCode and msg, not retried', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"400","errorCode":"IDENTITY_TYPE_DISABLED","msg":"身份类型未开通","data":null}' }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'rejected', status: 200, errorCode: 'IDENTITY_TYPE_DISABLED', msg: '身份类型未开通', retryable: false });
    expect(err.message).toContain('code "400"');
    expect(err.hint).toMatch(/身份类型管理/);
  });

  it('guesses no cause for HTTP 200 with a code it does not know', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"E1001","errorCode":"SOMETHING","msg":"?"}' }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'rejected', retryable: false, hint: undefined });
  });

  it('gives the token hint for HTTP 200 with code "401"', async () => {
    const { api } = await clientFor(() => ({ body: '{"code":"401","errorCode":"UNAUTHORIZED","msg":"token invalid"}' }));
    expect((await failure(api.sendBatch(smallBatch()))).hint).toMatch(/RABBITPRE_TOKEN/);
  });

  it('refuses a success without a batch ID instead of inventing one', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"200","errorCode":"SUCCESS","msg":"ok","data":1.5e3}' }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'malformed', retryable: false });
  });
});

describe('v2 client: only code "200" with errorCode SUCCESS and a positive batch ID acknowledges a request', () => {
  it('fails on HTTP 200 with code "200" but errorCode SYSTEM_ERROR, quoting code, errorCode and msg, without retrying', async () => {
    const { api, server, retries } = await clientFor(() => ({ body: '{"code":"200","errorCode":"SYSTEM_ERROR","msg":"import failed","data":15314513452345125}' }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(err).toMatchObject({ kind: 'rejected', status: 200, errorCode: 'SYSTEM_ERROR', msg: 'import failed', retryable: false, attempts: 1 });
    expect(err.message).toContain('HTTP 200 with code "200" but errorCode "SYSTEM_ERROR" (not SUCCESS) [SYSTEM_ERROR: import failed]');
    expect(err.message).not.toContain('15314513452345125');
    expect(err.hint).toMatch(/nothing of it is recorded/);
  });

  it('fails when errorCode is absent, or is anything but SUCCESS', async () => {
    for (const body of [
      '{"code":"200","msg":"ok","data":15314513451345123}',
      '{"code":"200","errorCode":null,"msg":"ok","data":15314513451345123}',
      '{"code":"200","errorCode":"OK","msg":"ok","data":15314513451345123}',
      '{"code":"200","errorCode":"","data":15314513451345123}',
    ]) {
      const { api } = await clientFor(() => ({ body }));
      expect((await failure(api.sendBatch(smallBatch()))).kind).toBe('rejected');
      await server?.close();
    }
  });

  it('compares errorCode case-insensitively', async () => {
    const { api } = await clientFor((_r, i) => ({ body: `{"code":"200","errorCode":"${['success', 'Success'][i] ?? ''}","msg":"ok","data":15314513451345123}` }));
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
  });

  it('takes no batch ID of 0, negative, fractional or with leading zeros', async () => {
    for (const data of ['0', '"0"', '-15', '15.0', '"0015"']) {
      const { api, server } = await clientFor(() => ({ body: `{"code":"200","errorCode":"SUCCESS","msg":"ok","data":${data}}` }));
      const err = await failure(api.sendBatch(smallBatch()));
      expect(err).toMatchObject({ kind: 'malformed', retryable: false, attempts: 1 });
      expect(server.requests).toHaveLength(1);
      await server.close();
    }
  });

  it('retries an HTTP 200 with code "200" and a busy errorCode, then succeeds', async () => {
    const { api, server, retries } = await clientFor((_r, i) => (i < 2 ? { body: '{"code":"200","errorCode":"SYSTEM_BUSY","msg":"系统繁忙","data":null}' } : { body: OK }));
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 200 with code "200" but errorCode "SYSTEM_BUSY" (not SUCCESS)', 'HTTP 200 with code "200" but errorCode "SYSTEM_BUSY" (not SUCCESS)']);
  });

  it('gives up on a busy errorCode after the retries, saying the server is busy', async () => {
    const { api, server } = await clientFor(() => ({ body: '{"code":"200","errorCode":"TOO_MANY_REQUESTS","msg":"slow down"}' }), { retries: 1 });
    const err = await failure(api.sendBatch(smallBatch()));
    expect(server.requests).toHaveLength(2);
    expect(err).toMatchObject({ kind: 'rejected', retryable: true, errorCode: 'TOO_MANY_REQUESTS', attempts: 2 });
    expect(err.hint).toMatch(/is busy \(errorCode "TOO_MANY_REQUESTS"\)/);
  });

  it('redacts a token the server echoes in errorCode or msg of an answer that is not SUCCESS', async () => {
    const { api } = await clientFor(() => ({ body: `{"code":"200","errorCode":"E_${TOKEN}","msg":"bad ${TOKEN}","data":15314513451345123}` }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err.errorCode).toBe('E_[redacted]');
    for (const text of renderings(err)) expect(text).not.toContain(TOKEN);
  });
});

describe("v2 client: a token in the base URL's path is used, never shown", () => {
  const PATH_TOKEN = 'ptok-4f0c9e77a1b2';

  it('calls the path with the token, and shows and records the endpoint without it', async () => {
    server = await startBareServer(() => ({ body: OK }));
    const api = createV2Client({ baseUrl: `${server.url}/${PATH_TOKEN}/`, pathPrefix: '/api/integrate', token: TOKEN, timeoutMs: 5_000, retries: 0 });
    expect((await api.sendBatch(smallBatch())).batchId).toBe('15314513451345123');
    expect(server.requests[0]?.url).toBe(`/${PATH_TOKEN}${PATH}`);
    expect(api.endpoint).toBe(`${server.url}/[redacted]${PATH}`);
  });

  it('leaves it out of every error, hint and retry reason, also where the server echoes the path', async () => {
    // Only the hanging answer needs the timeout to fire; the others must never meet it.
    const hang = (): BareReply => 'hang';
    const answers: ((req: BareRequest) => BareReply)[] = [
      (req) => ({ status: 404, body: JSON.stringify({ code: '404', errorCode: 'NOT_FOUND', msg: `no endpoint at ${req.url}` }) }),
      (req) => ({ status: 503, body: JSON.stringify({ code: '503', errorCode: 'BUSY', msg: `busy: ${decodeURIComponent(req.url)}` }) }),
      (req) => ({ status: 307, headers: { location: `http://elsewhere.example${req.url}` } }),
      hang,
      () => 'drop',
    ];
    const reasons: string[] = [];
    for (const answer of answers) {
      server = await startBareServer(answer);
      const api = createV2Client({
        baseUrl: `${server.url}/${PATH_TOKEN}`,
        pathPrefix: '/api/integrate',
        token: TOKEN,
        timeoutMs: answer === hang ? 200 : 10_000,
        retries: 1,
        retryBaseMs: 1,
        retryMaxMs: 5,
        onRetry: (r) => reasons.push(r.reason),
      });
      const err = await failure(api.sendBatch(smallBatch()));
      for (const text of [...renderings(err), err.hint ?? '', err.msg ?? '']) expect(text).not.toContain(PATH_TOKEN);
      expect(err.message).toContain(`${server.url}/[redacted]${PATH}`);
      await server.close();
    }
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason).not.toContain(PATH_TOKEN);
  });

  it("leaves it out of a refused connection's error", async () => {
    server = await startBareServer(() => ({ body: OK }));
    const api = createV2Client({ baseUrl: `${server.url}/${PATH_TOKEN}`, pathPrefix: '/api/integrate', token: TOKEN, timeoutMs: 5_000, retries: 0 });
    await server.close();
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err.kind).toBe('network');
    for (const text of [...renderings(err), err.hint ?? '']) expect(text).not.toContain(PATH_TOKEN);
  });
});

describe('v2 client: a connection that cannot be made names the address tried and where it came from', () => {
  it('says that nothing accepted the connection, naming RABBITPRE_BASE_URL and the address', async () => {
    const { api, server } = await clientFor(() => ({ body: OK }), { retries: 0 });
    await server.close();
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err.kind).toBe('network');
    expect(err.hint).toBe(`nothing accepted the connection to ${server.url}: check the address in RABBITPRE_BASE_URL and that the API can be reached from this machine`);
    expect(err.message).toContain(`hint: nothing accepted the connection to ${server.url}`);
  });

  it('names the config setting when the config supplied the address', async () => {
    const { api, server } = await clientFor(() => ({ body: OK }), { retries: 0, baseUrlFrom: 'api.baseUrl in .groupops/config.yaml' });
    await server.close();
    expect((await failure(api.sendBatch(smallBatch()))).hint).toContain('check the address in api.baseUrl in .groupops/config.yaml');
  });
});

describe('v2 client against a bare server: the caller cancels', () => {
  it('ends a long Retry-After wait at once and sends no further attempt', async () => {
    const controller = new AbortController();
    // Without the abort this call would wait 60 s before each of its 3 retries.
    const { api, server, retries } = await clientFor(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: '{"code":"429","errorCode":"TOO_MANY_REQUESTS","msg":"slow down"}' }), {
      retryMaxMs: 60_000,
      // The interrupt comes once the wait has begun (a later turn of the event loop).
      onRetry: (info) => {
        retries.push(info);
        setImmediate(() => controller.abort());
      },
    });
    const err = await failure(api.sendBatch(smallBatch(), controller.signal));
    expect(err).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(retries.map((r) => r.delayMs)).toEqual([60_000]);
  });

  it('lets an attempt in flight finish and returns its answer (the server may have applied it)', async () => {
    const controller = new AbortController();
    const { api, server } = await clientFor(async () => {
      controller.abort();
      await new Promise((resolve) => setImmediate(resolve));
      return { body: OK };
    });
    expect((await api.sendBatch(smallBatch(), controller.signal)).batchId).toBe('15314513451345123');
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry an answer that arrives after the abort', async () => {
    const controller = new AbortController();
    const { api, server, retries } = await clientFor(() => {
      controller.abort();
      return { status: 503, body: '{"code":"503","errorCode":"BUSY","msg":"try later"}' };
    });
    const err = await failure(api.sendBatch(smallBatch(), controller.signal));
    expect(err).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('reports an answer that would not be retried anyway as it is, even after the abort (a 401 is not "cancelled")', async () => {
    const controller = new AbortController();
    const { api } = await clientFor(() => {
      controller.abort();
      return { status: 401, body: '{"code":"401","errorCode":"UNAUTHORIZED","msg":"bad token"}' };
    });
    const err = await failure(api.sendBatch(smallBatch(), controller.signal));
    expect(err).toMatchObject({ attempts: 1 });
    expect(err.kind).not.toBe('aborted');
  });

  it('sends nothing when cancelled before the call', async () => {
    const controller = new AbortController();
    controller.abort();
    const { api, server } = await clientFor(() => ({ body: OK }));
    const err = await failure(api.sendBatch(smallBatch(), controller.signal));
    expect(err).toMatchObject({ kind: 'aborted', attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('v2 client: the token never shows', () => {
  it('redacts a token the server echoes, and keeps no request object in the error', async () => {
    const echo = JSON.stringify({ code: '401', errorCode: `BAD_${TOKEN}`, msg: `token ${TOKEN} is invalid` });
    const { api } = await clientFor(() => ({ status: 401, body: echo }));
    const err = await failure(api.sendBatch(smallBatch()));
    expect(err.msg).toBe('token [redacted] is invalid');
    for (const text of renderings(err)) expect(text).not.toContain(TOKEN);
  });

  it('leaves no token in timeout, network, malformed and retry-exhausted errors, nor in retry reasons', async () => {
    const answers: BareReply[] = ['hang', 'drop', { body: `<html>${TOKEN}</html>` }, { status: 500, body: TOKEN }];
    const errors: Error[] = [];
    const reasons: string[] = [];
    for (const answer of answers) {
      const { api } = await clientFor(() => answer, { retries: 1, timeoutMs: answer === 'hang' ? 200 : 10_000, onRetry: (r) => reasons.push(r.reason) });
      errors.push(await failure(api.sendBatch(smallBatch())));
      await server?.close();
      server = undefined;
    }
    expect(errors.map((e) => (e as ApiError).kind)).toEqual(['timeout', 'network', 'malformed', 'http']);
    for (const err of errors) for (const text of renderings(err)) expect(text).not.toContain(TOKEN);
    expect(reasons).toHaveLength(4);
    for (const reason of reasons) expect(reason).not.toContain(TOKEN);
  });

  it('refuses an unusable token without quoting it', () => {
    const bad = `${TOKEN}\n`;
    let err: unknown;
    try {
      createV2Client({ baseUrl: 'http://127.0.0.1:9', pathPrefix: '/api/integrate', token: bad, timeoutMs: 1000, retries: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GroupopsError);
    expect((err as GroupopsError).code).toBe('CONFIG_ERROR');
    for (const text of renderings(err as Error)) expect(text).not.toContain(TOKEN);
    expect(() => createV2Client({ baseUrl: 'http://127.0.0.1:9', pathPrefix: '/api/integrate', token: ' ', timeoutMs: 1000, retries: 0 })).toThrow(/RABBITPRE_TOKEN is empty/);
  });
});
