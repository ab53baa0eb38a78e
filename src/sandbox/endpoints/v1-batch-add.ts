import { LosslessNumber } from 'lossless-json';
import { checkV1Body } from '../contract/v1-contract.js';
import type { Endpoint } from './endpoint.js';

/**
 * POST /audience/group/rel/batchAdd (legacy v1, seed 000): checked whole before anything is
 * applied, then applied item by item to the same users and user groups as v2 (v1 has no category:
 * enterprise groups), and answered with a new batch ID beyond 2^53.
 */
export const v1BatchAdd: Endpoint = {
  path: '/audience/group/rel/batchAdd',
  handle(body, { store, nextBatchId }) {
    const checked = checkV1Body(body);
    if (!checked.ok) return { accepted: false, errorCode: checked.errorCode, msg: checked.msg };
    const { request } = checked;
    const matching = request.matchingType === 1 ? 'exact' : 'fuzzy';
    const warnings = [...checked.warnings];
    request.items.forEach((item, i) => {
      const storeItem = { identities: item.identities, groups: item.groupNames.map((name) => ({ name, categoryType: '1' as const })) };
      const found = request.optType === 'add' ? store.add(storeItem, matching) : store.remove(storeItem, matching);
      for (const w of found) warnings.push(`data[${i}]: ${w}`);
    });
    const batchId = nextBatchId();
    return { accepted: true, data: new LosslessNumber(batchId), batchId, warnings };
  },
};
