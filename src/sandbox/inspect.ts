import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback, readBody, send, stringifyJson } from './http.js';
import type { FaultOptions, SandboxCustomerMembership, SandboxMembership, SandboxRequestLog } from './types.js';

/** Where the inspection API lives; no real endpoint starts with it. */
export const INSPECTION_PREFIX = '/__sandbox';

/** What the inspection API reads and changes. */
export interface Inspectable {
  memberships(): SandboxMembership[];
  counts(): { persons: number; groups: number; memberships: number };
  customerMemberships(): SandboxCustomerMembership[];
  customerCounts(): { persons: number; groups: number; memberships: number };
  requests(): SandboxRequestLog[];
  faults(): FaultOptions;
  setFaults(faults: FaultOptions): void;
  reset(): void;
}

/**
 * The inspection API, JSON, loopback only, no token:
 * - GET  /__sandbox/state     the memberships the fake platform holds, with counts; customer groups apart under `customers`
 * - GET  /__sandbox/requests  every request seen (X-Token redacted) with its verdict
 * - GET  /__sandbox/faults    the fault settings and what is left of the script
 * - PUT  /__sandbox/faults    replaces them (body: FaultOptions); POST is accepted too
 * - POST /__sandbox/reset     forgets memberships, persons and requests
 */
export async function handleInspection(req: IncomingMessage, res: ServerResponse, path: string, target: Inspectable): Promise<void> {
  const answer = (status: number, value: unknown): void => send(res, { status, body: `${stringifyJson(value, 2)}\n` });
  if (!isLoopback(req.socket.remoteAddress)) return answer(403, { error: 'the inspection API answers loopback clients only' });
  const route = `${req.method ?? ''} ${path.slice(INSPECTION_PREFIX.length)}`;
  switch (route) {
    case 'GET /state':
      return answer(200, { ...target.counts(), memberships: target.memberships(), customers: { ...customerCounts(target), memberships: target.customerMemberships() } });
    case 'GET /requests':
      return answer(200, { requests: target.requests() });
    case 'GET /faults':
      return answer(200, target.faults());
    case 'PUT /faults':
    case 'POST /faults': {
      const { text } = await readBody(req, 1024 * 1024);
      try {
        target.setFaults(JSON.parse(text === '' ? '{}' : text) as FaultOptions);
      } catch (err) {
        return answer(400, { error: (err as Error).message });
      }
      return answer(200, target.faults());
    }
    case 'POST /reset':
      target.reset();
      return answer(200, { ok: true });
    default:
      return answer(404, { error: `no inspection route ${route}; see GET /__sandbox/state, /requests, /faults; PUT /faults; POST /reset` });
  }
}

function customerCounts(target: Inspectable): { customers: number; groups: number; memberships: number } {
  const c = target.customerCounts();
  return { customers: c.persons, groups: c.groups, memberships: c.memberships };
}
