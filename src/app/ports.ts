import type { PlannedBatch } from '../core/batches.js';

/** What an API call acknowledged. */
export interface BatchReceipt {
  /** The import batch ID as an exact decimal string (IDs exceed 2^53). */
  readonly batchId: string;
}

/**
 * The membership endpoint as the use cases see it. Adapters (the v2 client, the legacy v1 client,
 * an in-memory fake in tests) translate the model to their wire format and back; nothing else does.
 */
export interface MembershipApi {
  /** The endpoint URL, recorded in the snapshot (never with a token). */
  readonly endpoint: string;
  /**
   * Sends one batch. Resolves only when the API acknowledged it (HTTP 2xx and code "200");
   * rejects with an ApiError otherwise, after the adapter's own retries.
   */
  sendBatch(batch: PlannedBatch, signal?: AbortSignal): Promise<BatchReceipt>;
}
