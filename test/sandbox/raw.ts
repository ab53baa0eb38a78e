import { parse } from 'lossless-json';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

export const V2_PATH = '/api/integrate/audience/group/rel/v2/batchAdd';

/** An answer from the sandbox, its body as text and, when JSON, losslessly parsed. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs to the sandbox with fetch, bypassing the client, so that tests control every byte. */
export async function rawPost(
  sandbox: Sandbox,
  body: unknown,
  options: { token?: string | null; contentType?: string; path?: string; method?: string; signal?: AbortSignal } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const token = options.token === undefined ? sandbox.token : options.token;
  if (token !== null) headers['x-token'] = token;
  const response = await fetch(`${sandbox.url}${options.path ?? V2_PATH}`, {
    method: options.method ?? 'POST',
    headers,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A valid v2 body with the given items (default: one phone in group "g"). */
export function v2Body(items: unknown[] = [item()], optType: 'add' | 'delete' = 'add', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { publicParams: { optType, ...extra }, data: items };
}

/** A valid v2 item, fields overridable (`undefined` removes one). */
export function item(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { identities: [{ identityValue: '18888888888', identityType: 'phone' }], groups: 'g' };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** The code and errorCode of an envelope, as strings. */
export function codes(answer: RawAnswer): { status: number; code: string; errorCode: string } {
  return { status: answer.status, code: String(answer.json?.code), errorCode: String(answer.json?.errorCode) };
}

/**
 * One sandbox for the test file, reset before each test and closed after the file:
 * `const sb = useSandbox();` then `sb().url` inside tests.
 */
export function useSandbox(): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => sandbox?.reset());
  return () => {
    if (!sandbox) throw new Error('the sandbox starts in beforeAll');
    return sandbox;
  };
}
