import { startSandbox } from '../src/sandbox/server.js';

// The bench's sandbox, run as its own process (forked with an IPC channel): the API's work and the
// client's must not share one event loop, or the client would be measured waiting for the fake
// server's CPU. It notes each request's arrival and its CPU time, and reports them when asked (not
// per request: a message per request would be the sandbox's work too); the bench also asks it to
// forget its memberships between tenants, and to stop.

/** Messages from the bench to the sandbox process. */
export type ToSandbox = { readonly type: 'reset' } | { readonly type: 'stats' } | { readonly type: 'stop' };

/** Messages from the sandbox process to the bench. */
export type FromSandbox =
  | { readonly type: 'ready'; readonly url: string; readonly token: string }
  | { readonly type: 'reset' }
  /**
   * Since the last stats: each request's arrival (epoch ms, sub-millisecond: comparable with the
   * bench's own clock) and the process's CPU time (user + system, ms).
   */
  | { readonly type: 'stats'; readonly arrivals: readonly number[]; readonly cpuMs: number };

const latencyMs = Number(process.argv[2] ?? 0);
const send = (message: FromSandbox): void => {
  process.send?.(message);
};

let arrivals: number[] = [];
let cpuMark = process.cpuUsage();
// Only the last few requests are logged: the log is for tests, and a million logged bodies would
// be the sandbox's memory, not the API's behaviour.
const sandbox = await startSandbox({
  latencyMs,
  maxLoggedRequests: 10,
  // The arrival, not the moment the request was decided: the answer goes out latencyMs after it.
  onRequest: (_entry, arrivedAt) => {
    arrivals.push(performance.timeOrigin + arrivedAt);
  },
});

process.on('message', (message: ToSandbox) => {
  if (message.type === 'reset') {
    sandbox.reset();
    send({ type: 'reset' });
  } else if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuMark);
    send({ type: 'stats', arrivals, cpuMs: (cpu.user + cpu.system) / 1000 });
    arrivals = [];
    cpuMark = process.cpuUsage();
  } else {
    void sandbox.close().then(() => process.disconnect());
  }
});
send({ type: 'ready', url: sandbox.url, token: sandbox.token });
