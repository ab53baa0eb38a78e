import { LosslessNumber } from 'lossless-json';
import { checkV2Body } from '../contract/v2-contract.js';
import type { StoreItem } from '../store.js';
import type { Endpoint } from './endpoint.js';

/**
 * POST /audience/group/rel/v2/batchAdd: the whole request is checked before anything is applied
 * (a rejected call changes nothing); a valid one is applied item by item and answered with a new
 * batch ID, written into the JSON as a raw integer beyond 2^53.
 */
export const v2BatchAdd: Endpoint = {
  path: '/audience/group/rel/v2/batchAdd',
  handle(body, { store, nextBatchId }) {
    const checked = checkV2Body(body);
    if (!checked.ok) return { accepted: false, errorCode: checked.errorCode, msg: checked.msg };
    const { request } = checked;
    const matching = request.matchingType === 1 ? 'exact' : 'fuzzy';
    const warnings = [...checked.warnings];
    request.items.forEach((item, i) => {
      const { categoryType, department } = item.context;
      // Built field by field: a spread per group costs more than the store's own work on it.
      const storeItem: StoreItem = { identities: item.identities, groups: item.groupNames.map((name) => (department ? { categoryType, department, name } : { categoryType, name })) };
      const found = request.optType === 'add' ? store.add(storeItem, matching) : store.remove(storeItem, matching);
      for (const w of found) warnings.push(`data[${i}]: ${w}`);
    });
    const batchId = nextBatchId();
    return { accepted: true, data: new LosslessNumber(batchId), batchId, warnings };
  },
};
