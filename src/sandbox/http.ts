import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LosslessNumber, isSafeNumber, parse, stringify } from 'lossless-json';
import { parseExactJson } from './exact-json.js';

/** An answer to send. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  /** The envelope's fields of an API answer, for the request log (read from here, not parsed back from the body). */
  readonly envelope?: { readonly code: string; readonly errorCode: string; readonly msg: string };
}

/** Reads a request body, keeping at most `limit` bytes (the rest is drained, `tooLarge` set). */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge };
}

/** Writes an answer unless the client has gone. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(reply.body);
}

/** The API's envelope as JSON text; `data` may hold LosslessNumbers, written digit for digit. */
export function envelopeReply(status: number, code: string, errorCode: string, msg: string, data: unknown = null): Reply {
  return { status, body: stringifyJson({ code, errorCode, msg, data }), envelope: { code, errorCode, msg } };
}

/** JSON text of a value that may hold LosslessNumbers. */
export function stringifyJson(value: unknown, space?: number): string {
  return stringify(value, null, space) ?? 'null';
}

/** Parses JSON keeping every number as a LosslessNumber; throws SyntaxError (also on duplicate keys). */
export function parseExact(text: string): unknown {
  return parseExactJson(text);
}

/** Parses JSON for the request log: plain numbers where they are exact, LosslessNumbers beyond 2^53. */
export function parseForLog(text: string): unknown {
  try {
    return parse(text, null, (digits) => (isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits)));
  } catch {
    return undefined;
  }
}

/** Whether the request declares a JSON body (`application/json`, any parameters). */
export function isJsonContentType(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** The address is this machine's loopback (the inspection API answers nobody else). */
export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
