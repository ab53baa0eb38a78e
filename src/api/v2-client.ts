import type { BatchIdApi } from '../app/ports.js';
import { requireBatchId } from './acknowledge.js';
import { callSettings, type ApiClientOptions } from './call-settings.js';
import { endpointUrl } from './endpoint-url.js';
import { postEnvelope } from './post-envelope.js';
import { V2_BATCH_ADD_PATH, v2BodyJson } from './v2-wire.js';

export type { ApiClientOptions } from './call-settings.js';

/** The default path prefix (rabbitpre-api.md: the seed's "接口地址" line). */
export const DEFAULT_PATH_PREFIX = '/api/integrate';

/**
 * The v2 membership import (POST {base}{prefix}/audience/group/rel/v2/batchAdd) as a MembershipApi.
 * A batch succeeds only on HTTP 2xx with code "200"; its batch ID is kept as the exact decimal text.
 */
export function createV2Client(options: ApiClientOptions): BatchIdApi {
  const settings = callSettings(options, endpointUrl(options.baseUrl, options.pathPrefix, V2_BATCH_ADD_PATH));
  return {
    endpoint: settings.endpoint,
    sendBatch: async (batch, signal) => {
      const body = Buffer.from(v2BodyJson(batch, options.matchingType), 'utf8');
      return { batchId: requireBatchId(settings, await postEnvelope(settings, body, signal)) };
    },
  };
}
