import type { PlannedBatch } from '../core/batches.js';
import type { ItemFailure } from '../core/not-applied.js';

/**
 * What an API call acknowledged. The v1 and v2 endpoints answer with an import batch ID (the import
 * runs later); the customer-group endpoint answers synchronously with per-row results.
 */
export interface BatchReceipt {
  /** The import batch ID as an exact decimal string (IDs exceed 2^53); absent for the customer endpoint, which has none. */
  readonly batchId?: string;
  /**
   * accepted (the default): every item was applied or queued; partial: every item but those in
   * `failed`; unknown: the API has not confirmed anything yet (an import still in progress), so
   * nothing is recorded and the next apply sends the items again (adds and deletes are idempotent).
   */
  readonly status?: 'accepted' | 'partial' | 'unknown';
  /** The items (by position in the batch) the API reported as not applied, with the reason. */
  readonly failed?: readonly ItemFailure[];
  /** The API's message about the result (shown with failed or unknown results). */
  readonly message?: string;
}

/**
 * The membership endpoint as the use cases see it. Adapters (the v2 client, the legacy v1 client,
 * the customer-group client, an in-memory fake in tests) translate the model to their wire format
 * and back; nothing else does.
 */
export interface MembershipApi {
  /** The endpoint URL, recorded in the snapshot (never with a token). */
  readonly endpoint: string;
  /**
   * Sends one batch. Resolves only when the API answered it (HTTP 2xx and code "200"), with what
   * it confirmed; rejects with an ApiError otherwise (also when the API reports the whole request
   * failed), after the adapter's own retries. Aborting `signal` gives up the retries: a wait for
   * one ends at once with an ApiError of kind aborted, while a request already sent is left to
   * finish, so that its answer can still be recorded.
   */
  sendBatch(batch: PlannedBatch, signal?: AbortSignal): Promise<BatchReceipt>;
}

/** A user-group endpoint (v2, v1): the import runs later, and every receipt carries its batch ID. */
export interface BatchIdApi extends MembershipApi {
  sendBatch(batch: PlannedBatch, signal?: AbortSignal): Promise<BatchReceipt & { readonly batchId: string }>;
}
