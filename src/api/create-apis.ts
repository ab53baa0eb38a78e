import type { BatchIdApi, MembershipApi } from '../app/ports.js';
import type { Config } from '../load/config.js';
import { customerSettingsOf, userGroupEndpoint, v1SettingsOf } from '../load/endpoint-config.js';
import type { ApiClientOptions } from './call-settings.js';
import { createCustomerClient } from './customer-client.js';
import { createV1Client } from './v1-client.js';
import { createV2Client } from './v2-client.js';

/** The endpoints an apply talks to: user groups (v2, or v1 when configured) and customer groups. */
export interface MembershipApis {
  readonly api: BatchIdApi;
  readonly customerApi: MembershipApi;
}

/**
 * Builds the clients the config selects: `userGroups.endpoint` picks v2 (default) or v1 for user
 * groups, with v1's settings from `v1:`; customer groups always go to the customer-group endpoint
 * with the settings of `customer:`. All share the connection (base URL, prefix, token, retries).
 */
export function createMembershipApis(config: Pick<Config, 'matchingType' | 'userGroups' | 'v1' | 'customer'>, connection: Omit<ApiClientOptions, 'matchingType'>): MembershipApis {
  const api =
    userGroupEndpoint(config) === 'v1'
      ? createV1Client(connection, v1SettingsOf(config))
      : createV2Client({ ...connection, ...(config.matchingType !== undefined ? { matchingType: config.matchingType } : {}) });
  return { api, customerApi: createCustomerClient(connection, customerSettingsOf(config)) };
}
