import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { handleApiRequest, latencyLeft, type ApiDeps } from '../../src/sandbox/api-handler.js';
import { BatchIdCounter } from '../../src/sandbox/batch-ids.js';
import type { Endpoint } from '../../src/sandbox/endpoints/index.js';
import { FaultPlan } from '../../src/sandbox/faults.js';
import { RequestLog } from '../../src/sandbox/request-log.js';
import { MembershipStore } from '../../src/sandbox/store.js';
import type { FaultOptions } from '../../src/sandbox/types.js';

// The sandbox's latency is counted from the request's arrival, its own work included: a clock
// that the endpoint moves forward stands for that work, and the delay handed to `later` is checked
// (no timed assertion).

const TOKEN = 'sandbox-token';

interface Harness {
  readonly run: () => Promise<void>;
  /** Every delay asked of `later`, in order. */
  readonly delays: number[];
  /** Runs the callbacks `later` was given. */
  readonly fire: () => void;
  /** The statuses written to the response, in order. */
  readonly sent: number[];
  readonly arrivals: number[];
}

function harness(options: { latencyMs: number; workMs: number; faults?: FaultOptions }): Harness {
  let clock = 1_000;
  const delays: number[] = [];
  const pending: (() => void)[] = [];
  const sent: number[] = [];
  const arrivals: number[] = [];
  // The endpoint's work moves the clock, as a request that takes workMs to check and apply.
  const endpoint: Endpoint = {
    path: '/work',
    handle: () => {
      clock += options.workMs;
      return { accepted: true, data: null, warnings: [] };
    },
  };
  const deps: ApiDeps = {
    token: TOKEN,
    latencyMs: options.latencyMs,
    faults: new FaultPlan(options.faults ?? {}, 1),
    store: new MembershipStore(),
    customers: new MembershipStore(),
    batchIds: new BatchIdCounter(),
    log: new RequestLog(10),
    onRequest: (_entry, arrivedAt) => arrivals.push(arrivedAt),
    now: () => clock,
    later: (ms, fn) => {
      delays.push(ms);
      pending.push(fn);
    },
  };
  const req = Object.assign(Readable.from([Buffer.from('{}')]), {
    method: 'POST',
    url: '/api/integrate/work',
    headers: { 'content-type': 'application/json', 'x-token': TOKEN },
    socket: { destroy: () => undefined },
  }) as unknown as IncomingMessage;
  const res = {
    destroyed: false,
    writableEnded: false,
    writeHead: (status: number) => sent.push(status),
    end: () => undefined,
  } as unknown as ServerResponse;
  return {
    run: () => handleApiRequest(req, res, '/api/integrate/work', endpoint, deps),
    delays,
    fire: () => pending.splice(0).forEach((fn) => fn()),
    sent,
    arrivals,
  };
}

describe('sandbox latency: counted from arrival', () => {
  it('answers latencyMs after arrival: the work done is taken off the wait', async () => {
    const h = harness({ latencyMs: 20, workMs: 3 });
    await h.run();
    expect(h.delays).toEqual([17]);
    expect(h.sent).toEqual([]);
    h.fire();
    expect(h.sent).toEqual([200]);
    expect(h.arrivals).toEqual([1_000]);
  });

  it('answers at once when the work took longer than the latency', async () => {
    const h = harness({ latencyMs: 20, workMs: 25 });
    await h.run();
    expect(h.delays).toEqual([]);
    expect(h.sent).toEqual([200]);
  });

  it('the slow fault still adds slowMs on top of what is left of the latency', async () => {
    const h = harness({ latencyMs: 20, workMs: 3, faults: { script: ['slow'], slowMs: 500 } });
    await h.run();
    expect(h.delays).toEqual([517]);
    h.fire();
    expect(h.sent).toEqual([200]);
  });

  it('without latency the answer goes out as soon as it is decided', async () => {
    const h = harness({ latencyMs: 0, workMs: 3 });
    await h.run();
    expect(h.delays).toEqual([]);
    expect(h.sent).toEqual([200]);
  });

  it('latencyLeft never goes below zero', () => {
    expect(latencyLeft(20, 0)).toBe(20);
    expect(latencyLeft(20, 19.5)).toBe(0.5);
    expect(latencyLeft(20, 20)).toBe(0);
    expect(latencyLeft(20, 400)).toBe(0);
  });
});
