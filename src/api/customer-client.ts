import type { MembershipApi } from '../app/ports.js';
import { ApiError } from '../errors/index.js';
import { answerBase } from './acknowledge.js';
import { callSettings, type ApiClientOptions } from './call-settings.js';
import { CUSTOMER_BATCH_ADD_PATH, readCustomerResult, toCustomerBody, type CustomerParams } from './customer-wire.js';
import { postEnvelope } from './post-envelope.js';

/**
 * The customer-group import (POST {base}{prefix}/audience/info/batchAdd) as a MembershipApi. Its
 * answer is synchronous: status 1 applied (but for errorData rows), 2 partly applied (only the rows
 * not in errorData are confirmed), 0 in progress (nothing confirmed: the receipt says unknown),
 * -1 failed (an ApiError). The same envelope rule first (code "200" and errorCode SUCCESS), retries
 * and error mapping as the other endpoints.
 * Its body holds strings, small numbers and booleans only (no longs), so JSON.stringify writes it exactly.
 */
export function createCustomerClient(options: Omit<ApiClientOptions, 'matchingType'>, params: CustomerParams): MembershipApi {
  const settings = callSettings(options, CUSTOMER_BATCH_ADD_PATH);
  return {
    endpoint: settings.endpoint,
    async sendBatch(batch, signal) {
      const body = toCustomerBody(batch, params);
      const answer = await postEnvelope(settings, JSON.stringify(body), signal);
      const result = readCustomerResult(answer.envelope.data, body.data);
      const message = settings.redact;
      switch (result.kind) {
        case 'malformed':
          throw new ApiError({ ...answerBase(settings, answer), kind: 'malformed', summary: `errorCode SUCCESS but ${result.why}`, retryable: false });
        case 'failed':
          throw new ApiError({
            ...answerBase(settings, answer),
            kind: 'rejected',
            summary: 'the import failed (data.status -1); nothing of this request is recorded',
            ...(result.message ? { msg: message(result.message) } : {}),
            retryable: false,
          });
        case 'unknown':
          return { status: 'unknown', message: message(result.message) };
        case 'done':
          if (result.failed.length === 0) return { status: 'accepted', ...(result.message ? { message: message(result.message) } : {}) };
          return { status: 'partial', failed: result.failed.map((f) => ({ ...f, reason: message(f.reason) })), message: message(result.message) };
      }
    },
  };
}
