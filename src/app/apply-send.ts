import type { PlannedBatch } from '../core/batches.js';
import type { Op } from '../core/model.js';
import type { BatchReceipt, MembershipApi } from './ports.js';

export interface SendOptions {
  readonly api: MembershipApi;
  /** Requests in flight at once within one operation. */
  readonly concurrency: number;
  /** Once aborted, no new request starts; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  /** Called when a request is acknowledged; a rejection stops the apply like a failed request. */
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
  let started = 0;
  const stopped = (): boolean => failure !== undefined || options.signal?.aborted === true;
  for (const op of ['delete', 'add'] as const satisfies readonly Op[]) {
    if (stopped()) break;
    const indices = batches.flatMap((b, i) => (b.op === op ? [i] : []));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stopped() && next < indices.length) {
        const index = indices[next++]!;
        const batch = batches[index]!;
        started++;
        try {
          const receipt = await options.api.sendBatch(batch);
          await options.onAck(index, batch, receipt);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, indices.length) }, worker));
  }
  if (failure) return { failure: failure.error, interrupted: false };
  return { interrupted: started < batches.length };
}
