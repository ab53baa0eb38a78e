import type { Op } from './model.js';

/** One answered API call, as the snapshot's last apply records it (and `explain` shows it). */
export interface RecordedRequest {
  readonly op: Op;
  /** Items the API confirmed. */
  readonly items: number;
  /** The batch ID as an exact decimal string (IDs exceed 2^53); absent for the customer endpoint, which has none. */
  readonly batchId?: string;
  /** The endpoint, when it is not lastApply.endpoint (customer-group requests). */
  readonly endpoint?: string;
  /** partial: `notApplied` rows failed; unknown: the API confirmed nothing yet. Absent: all applied. */
  readonly status?: 'partial' | 'unknown';
  /** Rows the API did not confirm: not recorded as applied, so the next apply sends them again. */
  readonly notApplied?: number;
}
