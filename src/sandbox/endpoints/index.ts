import { customerBatchAdd } from './customer-batch-add.js';
import type { Endpoint } from './endpoint.js';
import { v1BatchAdd } from './v1-batch-add.js';
import { v2BatchAdd } from './v2-batch-add.js';

/** Every endpoint the sandbox serves under the path prefix. */
export const ENDPOINTS: readonly Endpoint[] = [v2BatchAdd, v1BatchAdd, customerBatchAdd];

export type { Endpoint, EndpointContext } from './endpoint.js';
