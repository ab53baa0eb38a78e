import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest, type ApiDeps } from './api-handler.js';
import { BatchIdCounter } from './batch-ids.js';
import { ENDPOINTS, type Endpoint } from './endpoints/index.js';
import { FaultPlan } from './faults.js';
import { envelopeReply, send } from './http.js';
import { handleInspection, INSPECTION_PREFIX, type Inspectable } from './inspect.js';
import { RequestLog } from './request-log.js';
import { MembershipStore } from './store.js';
import type { FaultOptions, SandboxCustomerMembership, SandboxMembership, SandboxRequestLog } from './types.js';

export type {
  CustomerResultKind,
  FaultKind,
  FaultOptions,
  SandboxCustomerMembership,
  SandboxGroup,
  SandboxIdentity,
  SandboxMembership,
  SandboxPerson,
  SandboxRequestLog,
  SandboxVerdict,
} from './types.js';
export { CUSTOMER_RESULT_KINDS, FAULT_KINDS } from './types.js';

/** Request paths are resolved against this base: only their path is used. */
const BASE = 'http://sandbox.invalid';

/** The token the sandbox accepts unless told otherwise; not a secret. */
export const DEFAULT_SANDBOX_TOKEN = 'sandbox-token';

export interface SandboxOptions {
  /** Default 0 (a free port); the sandbox always binds 127.0.0.1. */
  port?: number;
  /** The accepted X-Token; default 'sandbox-token'. */
  token?: string;
  /**
   * The API endpoints' latency: each answer goes out this long after its request arrived, the
   * sandbox's own work included (at once when the work took longer, as a loaded server answers);
   * the `slow` fault adds its slowMs on top. Default 0.
   */
  latencyMs?: number;
  faults?: FaultOptions;
  /** Seeds the random faults, so that a run can be replayed. Default 1. */
  seed?: number;
  /** The path prefix the endpoints live under; default '/api/integrate'. */
  pathPrefix?: string;
  /** How many requests the log keeps (the most recent). Default 100000. */
  maxLoggedRequests?: number;
  /**
   * Called with each API request's log entry once it is decided (before a late answer is sent),
   * and when the request arrived (performance.now(), the clock latencyMs is counted from).
   */
  onRequest?: (entry: SandboxRequestLog, arrivedAt: number) => void;
}

export interface Sandbox {
  /** The base URL, e.g. http://127.0.0.1:41234 (the client appends the prefix). */
  readonly url: string;
  readonly token: string;
  readonly pathPrefix: string;
  close(): Promise<void>;
  /** What the fake platform holds now (user groups). */
  memberships(): SandboxMembership[];
  /** The customer-group memberships, kept apart from user groups. */
  customerMemberships(): SandboxCustomerMembership[];
  /** Every request seen: path, headers (token redacted), body, verdict. */
  requests(): SandboxRequestLog[];
  /** Replaces the fault settings and restarts the fault sequence from the seed. */
  setFaults(faults: FaultOptions): void;
  /** The fault settings and what is left of the script. */
  faults(): FaultOptions;
  /**
   * Forgets memberships (user and customer groups), persons and requests and restarts the random fault sequence from the seed
   * (fault settings stay); batch IDs keep counting up, never reused.
   */
  reset(): void;
}

/**
 * Starts the local fake of the Rabbitpre API on 127.0.0.1: it checks every request against the
 * documented contract, holds memberships in memory, answers with batch IDs above 2^53, and can
 * inject latency and faults. See inspect.ts for the inspection API under /__sandbox/.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const token = options.token ?? DEFAULT_SANDBOX_TOKEN;
  const pathPrefix = normalizePrefix(options.pathPrefix ?? '/api/integrate');
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isSafeInteger(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be an integer >= 0');
  if (token === '') throw new RangeError('the sandbox token must not be empty');
  const timers = new Set<NodeJS.Timeout>();
  const store = new MembershipStore();
  const customers = new MembershipStore();
  const log = new RequestLog(options.maxLoggedRequests ?? 100_000);
  const faults = new FaultPlan(options.faults ?? {}, options.seed ?? 1);
  const deps: ApiDeps = {
    token,
    latencyMs,
    faults,
    store,
    customers,
    batchIds: new BatchIdCounter(),
    log,
    onRequest: options.onRequest,
    now: () => performance.now(),
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    },
  };
  const inspectable: Inspectable = {
    memberships: () => store.memberships(),
    counts: () => store.counts(),
    customerMemberships: () => customerMembershipsOf(customers),
    customerCounts: () => customers.counts(),
    requests: () => log.entries(),
    faults: () => faults.describe(),
    setFaults: (f) => faults.set(f),
    reset: () => {
      store.reset();
      customers.reset();
      log.clear();
      faults.set(faults.describe());
    },
  };
  const direct = directPaths(pathPrefix);
  const server = createServer((req, res) => {
    route(req, res, pathPrefix, direct, deps, inspectable).catch((err: unknown) => {
      send(res, envelopeReply(500, '500', 'SANDBOX_BUG', `the sandbox failed: ${(err as Error).message}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    pathPrefix,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    memberships: () => inspectable.memberships(),
    customerMemberships: () => inspectable.customerMemberships(),
    requests: () => inspectable.requests(),
    setFaults: (f) => inspectable.setFaults(f),
    faults: () => inspectable.faults(),
    reset: () => inspectable.reset(),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, prefix: string, direct: ReadonlyMap<string, Endpoint>, deps: ApiDeps, inspectable: Inspectable): Promise<void> {
  // A request line naming an endpoint exactly is routed without parsing a URL (a clear share of a small request's cost).
  const exact = req.url === undefined ? undefined : direct.get(req.url);
  if (exact) return handleApiRequest(req, res, req.url!, exact, deps);
  const path = new URL(req.url ?? '/', BASE).pathname;
  if (path === INSPECTION_PREFIX || path.startsWith(`${INSPECTION_PREFIX}/`)) return handleInspection(req, res, path, inspectable);
  const endpoint: Endpoint | undefined = path.startsWith(`${prefix}/`) ? ENDPOINTS.find((e) => `${prefix}${e.path}` === path) : undefined;
  return handleApiRequest(req, res, path, endpoint, deps);
}

/** Customer memberships as the inspection API shows them: a customer group has only its name. */
function customerMembershipsOf(store: MembershipStore): SandboxCustomerMembership[] {
  return store.memberships().map((m) => ({ group: m.group.name, customer: m.person }));
}

/**
 * The endpoints by the exact request path that reaches them: only paths a URL leaves as they are
 * and the inspection API does not claim, so that the shortcut routes as the full path does.
 */
function directPaths(prefix: string): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const e of ENDPOINTS) {
    const path = `${prefix}${e.path}`;
    const inspection = path === INSPECTION_PREFIX || path.startsWith(`${INSPECTION_PREFIX}/`);
    if (!inspection && new URL(path, BASE).pathname === path) out.set(path, e);
  }
  return out;
}

function normalizePrefix(prefix: string): string {
  const inner = prefix.trim().replace(/^\/+|\/+$/g, '');
  return inner === '' ? '' : `/${inner}`;
}
