import type { FaultPlan } from '../faults.js';
import type { MembershipStore } from '../store.js';

/** What an endpoint handler may use. */
export interface EndpointContext {
  /** User-group memberships (v2, v1). */
  readonly store: MembershipStore;
  /** Customer-group memberships: customers are another entity than users, kept apart. */
  readonly customers: MembershipStore;
  /** The fault settings, for the customer endpoint's row failures and scripted results. */
  readonly faults: FaultPlan;
  /** The next import batch ID, as exact decimal digits. */
  readonly nextBatchId: () => string;
}

/** The result of one call: the envelope's `data` on success, or a rejection (HTTP 200, code "400"). */
export type EndpointOutcome =
  | { readonly accepted: true; readonly data: unknown; readonly batchId?: string; readonly warnings: readonly string[]; readonly note?: string }
  | { readonly accepted: false; readonly errorCode: string; readonly msg: string };

/**
 * One fake endpoint: a path under the prefix and a handler that checks a losslessly parsed body and
 * applies it. New endpoints (v1, the customer import) are new files listed in endpoints/index.ts.
 */
export interface Endpoint {
  /** After the path prefix, e.g. /audience/group/rel/v2/batchAdd. */
  readonly path: string;
  handle(body: unknown, context: EndpointContext): EndpointOutcome;
}
