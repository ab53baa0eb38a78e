import type { BatchIdApi } from '../app/ports.js';
import { requireBatchId } from './acknowledge.js';
import { callSettings, type ApiClientOptions } from './call-settings.js';
import { postEnvelope } from './post-envelope.js';
import { V2_BATCH_ADD_PATH, v2BodyJson } from './v2-wire.js';

export type { ApiClientOptions } from './call-settings.js';

/**
 * The v2 membership import (POST {base}{prefix}/audience/group/rel/v2/batchAdd) as a MembershipApi.
 * A batch is acknowledged only by HTTP 2xx with code "200", errorCode SUCCESS and a positive batch
 * ID, which is kept as the exact decimal text.
 */
export function createV2Client(options: ApiClientOptions): BatchIdApi {
  const settings = callSettings(options, V2_BATCH_ADD_PATH);
  return {
    endpoint: settings.endpoint,
    sendBatch: async (batch, signal) => {
      return { batchId: requireBatchId(settings, await postEnvelope(settings, v2BodyJson(batch, options.matchingType), signal)) };
    },
  };
}
