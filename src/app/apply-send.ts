import type { PlannedBatch } from '../core/batches.js';
import type { Op } from '../core/model.js';
import { ApiError, InternalError } from '../errors/index.js';
import type { BatchReceipt, MembershipApi } from './ports.js';

export interface SendOptions {
  /** The user-group endpoint (v2 or v1). */
  readonly api: MembershipApi;
  /** The customer-group endpoint, for batches with target 'customer'. */
  readonly customerApi?: MembershipApi;
  /** Requests in flight at once within one operation. */
  readonly concurrency: number;
  /**
   * Once aborted, no new request starts and a request waiting to be retried gives up at once (it
   * was not acknowledged, so the next apply sends it again); those in flight finish and are recorded.
   */
  readonly signal?: AbortSignal;
  /** Called when a request is acknowledged; a rejection stops the apply like a failed request. All are awaited before the next operation and before returning. */
  readonly onAck: (index: number, batch: PlannedBatch, receipt: BatchReceipt) => Promise<void>;
}

export interface SendResult {
  /** The first failure (a rejected request or a failed recording); undefined when none. */
  readonly failure?: unknown;
  /** True when the signal stopped the sending early. */
  readonly interrupted: boolean;
}

/**
 * Sends a plan's batches: every delete before any add (product.md), up to `concurrency` requests in
 * flight within an operation. After the first failure no new request starts, and the requests
 * already in flight are awaited so that what they acknowledged is recorded too.
 */
export async function sendBatches(batches: readonly PlannedBatch[], options: SendOptions): Promise<SendResult> {
  const width = Math.max(1, Math.floor(options.concurrency));
  let failure: { error: unknown } | undefined;
  let answered = 0;
  const stopped = (): boolean => failure !== undefined || options.signal?.aborted === true;
  for (const op of ['delete', 'add'] as const satisfies readonly Op[]) {
    if (stopped()) break;
    const indices = batches.flatMap((b, i) => (b.op === op ? [i] : []));
    let next = 0;
    const recordings: Promise<void>[] = [];
    const worker = async (): Promise<void> => {
      while (!stopped() && next < indices.length) {
        const index = indices[next++]!;
        const batch = batches[index]!;
        let receipt: BatchReceipt;
        try {
          // The signal reaches the client so that an interrupt also ends a retry's backoff wait
          // (a Retry-After can ask for minutes); the client lets an attempt in flight finish.
          receipt = await apiFor(batch, options).sendBatch(batch, options.signal);
        } catch (error) {
          // Given up because of the interrupt: not a failure of the API, the request is just not sent.
          if (!(options.signal?.aborted && error instanceof ApiError && error.kind === 'aborted')) failure ??= { error };
          return;
        }
        answered++;
        // Recording (a synced journal line) starts at once but does not hold up the next request:
        // an acknowledgement lost to a kill before its sync is re-sent by the next apply.
        recordings.push(
          options.onAck(index, batch, receipt).catch((error: unknown) => {
            failure ??= { error };
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, indices.length) }, worker));
    // Every delete is recorded before the first add goes out.
    await Promise.all(recordings);
  }
  if (failure) return { failure: failure.error, interrupted: false };
  return { interrupted: answered < batches.length };
}

/** The endpoint a batch goes to: customer-group batches never reach a user-group endpoint. */
export function apiFor(batch: PlannedBatch, options: Pick<SendOptions, 'api' | 'customerApi'>): MembershipApi {
  if (batch.target !== 'customer') return options.api;
  if (!options.customerApi) throw new InternalError('a customer-group batch was planned but no customer-group endpoint was given');
  return options.customerApi;
}
