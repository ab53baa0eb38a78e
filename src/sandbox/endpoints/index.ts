import type { Endpoint } from './endpoint.js';
import { v2BatchAdd } from './v2-batch-add.js';

/** Every endpoint the sandbox serves under the path prefix. */
export const ENDPOINTS: readonly Endpoint[] = [v2BatchAdd];

export type { Endpoint, EndpointContext, EndpointOutcome } from './endpoint.js';
