import type { IncomingMessage, ServerResponse } from 'node:http';
import { LosslessNumber } from 'lossless-json';
import type { BatchIdCounter } from './batch-ids.js';
import type { Endpoint } from './endpoints/index.js';
import type { FaultPlan } from './faults.js';
import { envelopeReply, isJsonContentType, parseExact, readBody, send, type Reply } from './http.js';
import { redactHeaders, withParsedBody, type RequestLog } from './request-log.js';
import type { MembershipStore } from './store.js';
import type { FaultKind, SandboxRequestLog, SandboxVerdict } from './types.js';

/** The largest body read; 500 items with several identities each stay far below it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Faults that strike before the request is looked at: nothing is applied. */
const BEFORE_APPLY: ReadonlySet<FaultKind> = new Set(['http500', 'http503', 'http429', 'dropBeforeApply', 'systemBusy', 'systemError']);

/** What the API pipeline works with. */
export interface ApiDeps {
  readonly token: string;
  readonly latencyMs: number;
  readonly faults: FaultPlan;
  readonly store: MembershipStore;
  /** Customer-group memberships, kept apart from user groups. */
  readonly customers: MembershipStore;
  readonly batchIds: BatchIdCounter;
  readonly log: RequestLog;
  /** Called with each request's log entry and the `now()` of its arrival, once it is decided. */
  readonly onRequest?: ((entry: SandboxRequestLog, arrivedAt: number) => void) | undefined;
  /** A monotonic clock in ms (performance.now): when a request arrived and how long it took. */
  readonly now: () => number;
  /** Runs `fn` after `ms`, cancelled when the sandbox closes. */
  readonly later: (ms: number, fn: () => void) => void;
}

type Decision = Pick<SandboxRequestLog, 'verdict' | 'applied' | 'warnings'> & { reply: Reply; batchId?: string; note?: string };

/**
 * One request to the API space: read, pick a fault, check and apply as the real endpoint would,
 * log, then answer (late, cut or not at all when a fault says so). The answer goes out `latencyMs`
 * after the request arrived, as a real API's latency includes its own work (at once when the work
 * took longer); a `slow` fault adds its slowMs on top.
 */
export async function handleApiRequest(req: IncomingMessage, res: ServerResponse, path: string, endpoint: Endpoint | undefined, deps: ApiDeps): Promise<void> {
  const arrivedAt = deps.now();
  const { text, tooLarge } = await readBody(req, MAX_BODY_BYTES);
  const given = req.headers['x-token'];
  const token = given === undefined ? 'missing' : given === deps.token ? 'valid' : 'invalid';
  const seen = { seq: deps.log.nextSeq(), method: req.method ?? '', path, headers: redactHeaders(req.headers), token, bodyText: text } as const;
  // Unknown paths draw no fault: a fault sequence describes the endpoint, not a misrouted client.
  const fault = endpoint ? deps.faults.next() : undefined;
  const decision: Decision = fault && BEFORE_APPLY.has(fault) ? faultDecision(fault, deps) : decide(req, endpoint, text, tooLarge, token, deps);
  const reply = fault === 'malformed' ? truncated(decision.reply) : decision.reply;
  const dropped = fault === 'dropBeforeApply' || fault === 'dropAfterApply';
  const entry = withParsedBody({
    ...seen,
    ...decision,
    // A truncated answer is not JSON: it has no envelope fields, as a client reading it finds none.
    ...(fault === 'malformed' ? {} : reply.envelope),
    status: dropped ? 0 : reply.status,
    ...(fault ? { fault } : {}),
  });
  deps.log.push(entry);
  deps.onRequest?.(entry, arrivedAt);
  const delay = latencyLeft(deps.latencyMs, deps.now() - arrivedAt) + (fault === 'slow' ? deps.faults.settings.slowMs : 0);
  const deliver = (): void => {
    if (dropped) req.socket.destroy();
    else send(res, reply);
  };
  if (delay > 0) deps.later(delay, deliver);
  else deliver();
}

function decide(req: IncomingMessage, endpoint: Endpoint | undefined, text: string, tooLarge: boolean, token: string, deps: ApiDeps): Decision {
  const refuse = (verdict: SandboxVerdict, reply: Reply): Decision => ({ verdict, applied: false, warnings: [], reply });
  if (!endpoint) return refuse('not-found', envelopeReply(404, '404', 'NOT_FOUND', `no endpoint at ${req.url ?? ''}`));
  if (req.method !== 'POST') return refuse('method-not-allowed', { ...envelopeReply(405, '405', 'METHOD_NOT_ALLOWED', 'use POST'), headers: { allow: 'POST' } });
  if (token !== 'valid') return refuse('unauthorized', envelopeReply(401, '401', 'UNAUTHORIZED', token === 'missing' ? 'the X-Token header is missing' : 'the X-Token is not valid'));
  if (!isJsonContentType(req.headers)) return refuse('unsupported-media-type', envelopeReply(400, '400', 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'));
  if (tooLarge) return refuse('too-large', envelopeReply(413, '413', 'PAYLOAD_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`));
  let body: unknown;
  try {
    body = parseExact(text);
  } catch (err) {
    return refuse('rejected', envelopeReply(200, '400', 'INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`));
  }
  const outcome = endpoint.handle(body, { store: deps.store, customers: deps.customers, faults: deps.faults, nextBatchId: () => deps.batchIds.next() });
  if (!outcome.accepted) return refuse('rejected', envelopeReply(200, '400', outcome.errorCode, outcome.msg));
  return {
    verdict: 'accepted',
    applied: true,
    warnings: outcome.warnings,
    reply: envelopeReply(200, '200', 'SUCCESS', 'ok', outcome.data),
    ...(outcome.batchId !== undefined ? { batchId: outcome.batchId } : {}),
    ...(outcome.note !== undefined ? { note: outcome.note } : {}),
  };
}

function faultDecision(fault: FaultKind, deps: ApiDeps): Decision {
  const page = (status: number, title: string): Reply => ({ status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${status} ${title}</h1></body></html>` });
  const base = { verdict: 'fault' as const, applied: false, warnings: [] };
  switch (fault) {
    case 'http500':
      return { ...base, reply: page(500, 'Internal Server Error') };
    case 'http503':
      return { ...base, reply: page(503, 'Service Unavailable') };
    case 'http429':
      return { ...base, reply: { ...envelopeReply(429, '429', 'TOO_MANY_REQUESTS', 'rate limited'), headers: { 'retry-after': String(deps.faults.settings.retryAfterSeconds) } } };
    case 'systemBusy':
      return { ...base, reply: envelopeReply(200, '200', 'SYSTEM_BUSY', '系统繁忙，请稍后再试') };
    case 'systemError':
      // What a gateway that fills in code "200" for every answer it passes on sends: data even looks
      // like a batch ID (a fresh one, never issued for an accepted request), yet nothing was imported.
      return { ...base, reply: envelopeReply(200, '200', 'SYSTEM_ERROR', 'import failed', new LosslessNumber(deps.batchIds.next())) };
    default:
      return { ...base, reply: { status: 0, body: '' } };
  }
}

/** The first half of the answer: what a proxy cutting the connection short delivers. */
function truncated(reply: Reply): Reply {
  return { ...reply, status: 200, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
}

/** What is left of the latency after `tookMs` of work: the answer is never later than the latency asks, nor earlier than the work. */
export function latencyLeft(latencyMs: number, tookMs: number): number {
  return Math.max(0, latencyMs - tookMs);
}
