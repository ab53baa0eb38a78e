import type { BatchIdApi } from '../app/ports.js';
import { requireBatchId } from './acknowledge.js';
import { callSettings, type ApiClientOptions } from './call-settings.js';
import { postEnvelope } from './post-envelope.js';
import { toV1Body, V1_BATCH_ADD_PATH, type V1Params } from './v1-wire.js';

/**
 * The legacy v1 membership import (POST {base}{prefix}/audience/group/rel/batchAdd) as a
 * MembershipApi: the same envelope rule, retries and error mapping as v2, and a batch ID in `data`.
 * Its body holds strings, small numbers and booleans only (no longs), so JSON.stringify writes it exactly.
 */
export function createV1Client(options: Omit<ApiClientOptions, 'matchingType'>, params: V1Params): BatchIdApi {
  const settings = callSettings(options, V1_BATCH_ADD_PATH);
  return {
    endpoint: settings.endpoint,
    sendBatch: async (batch, signal) => ({ batchId: requireBatchId(settings, await postEnvelope(settings, JSON.stringify(toV1Body(batch, params)), signal)) }),
  };
}
