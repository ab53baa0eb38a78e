import { seededRandom } from './prng.js';
import { CUSTOMER_RESULT_KINDS, DEFAULT_RANDOM_FAULT_KINDS, FAULT_KINDS, type CustomerResultKind, type FaultKind, type FaultOptions } from './types.js';

/** Fault settings with every default filled in. */
export interface ResolvedFaults {
  readonly rate: number;
  readonly kinds: readonly FaultKind[];
  readonly retryAfterSeconds: number;
  readonly slowMs: number;
  readonly failRows: Readonly<Record<string, string>>;
  readonly rowFailureRate: number;
}

/** The reason of a row failed by rowFailureRate. */
export const RANDOM_ROW_FAILURE = 'sandbox: random row failure';

/**
 * Decides the fault of each API request: first the script, one entry per request, then a seeded
 * random draw (`rate`, split evenly among `kinds`). The same seed and settings give the same sequence.
 */
export class FaultPlan {
  #settings: ResolvedFaults;
  #script: (FaultKind | 'ok')[];
  #customerResults: CustomerResultKind[];
  #random: () => number;
  #rowRandom: () => number;
  readonly #seed: number;

  constructor(options: FaultOptions, seed: number) {
    this.#seed = seed;
    this.#settings = resolveFaults(options);
    this.#script = [...(options.script ?? [])];
    this.#customerResults = [...(options.customerResults ?? [])];
    this.#random = seededRandom(seed);
    // Rows draw from their own sequence, so row failures never shift the request faults.
    this.#rowRandom = seededRandom(seed ^ 0x5bd1e995);
  }

  /** Replaces the settings and restarts the random sequences from the seed. */
  set(options: FaultOptions): void {
    this.#settings = resolveFaults(options);
    this.#script = [...(options.script ?? [])];
    this.#customerResults = [...(options.customerResults ?? [])];
    this.#random = seededRandom(this.#seed);
    this.#rowRandom = seededRandom(this.#seed ^ 0x5bd1e995);
  }

  /** How the customer-group endpoint answers its next accepted request (`ok` once the script is used up). */
  nextCustomerResult(): CustomerResultKind {
    return this.#customerResults.shift() ?? 'ok';
  }

  /** Why a customer row with these identity values fails, or undefined when it is applied. One draw per row. */
  rowFailure(values: readonly string[]): string | undefined {
    const draw = this.#settings.rowFailureRate > 0 ? this.#rowRandom() : 1;
    for (const v of values) {
      const reason = this.#settings.failRows[v];
      if (reason !== undefined) return reason;
    }
    return draw < this.#settings.rowFailureRate ? RANDOM_ROW_FAILURE : undefined;
  }

  get settings(): ResolvedFaults {
    return this.#settings;
  }

  /** The current settings, with what is left of the script, as FaultOptions. */
  describe(): FaultOptions {
    return { ...this.#settings, kinds: [...this.#settings.kinds], script: [...this.#script], failRows: { ...this.#settings.failRows }, customerResults: [...this.#customerResults] };
  }

  /** The fault for the next API request, or undefined for none. */
  next(): FaultKind | undefined {
    const scripted = this.#script.shift();
    if (scripted !== undefined) return scripted === 'ok' ? undefined : scripted;
    const { rate, kinds } = this.#settings;
    if (rate <= 0 || kinds.length === 0) return undefined;
    // Two draws per request whatever the outcome, so one request's fault never shifts the next one's.
    const hit = this.#random() < rate;
    const pick = kinds[Math.floor(this.#random() * kinds.length)];
    return hit ? pick : undefined;
  }
}

/** Validates fault options (they come from tests, the CLI and the inspection API) and fills defaults. */
export function resolveFaults(options: FaultOptions): ResolvedFaults {
  const rate = options.rate ?? 0;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be a number from 0 to 1, got ${String(rate)}`);
  const kinds = options.kinds ?? DEFAULT_RANDOM_FAULT_KINDS;
  if (!Array.isArray(kinds)) throw new TypeError('fault kinds must be an array');
  for (const k of kinds as readonly FaultKind[]) if (!FAULT_KINDS.includes(k)) throw new RangeError(`unknown fault kind "${String(k)}"; known: ${FAULT_KINDS.join(', ')}`);
  const script = options.script ?? [];
  if (!Array.isArray(script)) throw new TypeError('fault script must be an array');
  for (const k of script as readonly (FaultKind | 'ok')[])
    if (k !== 'ok' && !FAULT_KINDS.includes(k)) throw new RangeError(`unknown fault "${String(k)}" in the script; known: ok, ${FAULT_KINDS.join(', ')}`);
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  if (typeof retryAfterSeconds !== 'number' || !(retryAfterSeconds >= 0) || !Number.isFinite(retryAfterSeconds)) throw new RangeError('retryAfterSeconds must be a number >= 0');
  const slowMs = options.slowMs ?? 35_000;
  if (!Number.isSafeInteger(slowMs) || slowMs < 0) throw new RangeError('slowMs must be an integer >= 0');
  const failRows = options.failRows ?? {};
  if (typeof failRows !== 'object' || failRows === null || Array.isArray(failRows)) throw new TypeError('failRows must be an object of identity value -> reason');
  for (const [value, reason] of Object.entries(failRows)) {
    if (typeof reason !== 'string' || reason === '') throw new TypeError(`failRows["${value}"] must be a non-empty reason`);
  }
  const rowFailureRate = options.rowFailureRate ?? 0;
  if (typeof rowFailureRate !== 'number' || !(rowFailureRate >= 0 && rowFailureRate <= 1)) throw new RangeError(`rowFailureRate must be a number from 0 to 1, got ${String(rowFailureRate)}`);
  const customerResults = options.customerResults ?? [];
  if (!Array.isArray(customerResults)) throw new TypeError('customerResults must be an array');
  for (const k of customerResults as readonly CustomerResultKind[]) {
    if (!CUSTOMER_RESULT_KINDS.includes(k)) throw new RangeError(`unknown customer result "${String(k)}"; known: ${CUSTOMER_RESULT_KINDS.join(', ')}`);
  }
  return { rate, kinds: [...(kinds as readonly FaultKind[])], retryAfterSeconds, slowMs, failRows: { ...failRows }, rowFailureRate };
}
