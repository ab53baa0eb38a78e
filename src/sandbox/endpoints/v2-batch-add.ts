import { LosslessNumber } from 'lossless-json';
import { checkV2Body, type V2RequestItem } from '../contract/v2-contract.js';
import type { StoredGroup } from '../store.js';
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
    const adding = request.optType === 'add';
    // Items that repeat the previous item's group list and context (the contract hands out the same
    // objects then) reuse its groups: looked up once per run of items, not once per item.
    let names: readonly string[] | undefined;
    let context: V2RequestItem['context'] | undefined;
    let groups: readonly StoredGroup[] = [];
    for (let i = 0; i < request.items.length; i++) {
      const item = request.items[i]!;
      let found: readonly string[];
      if (adding) {
        if (item.groupNames !== names || item.context !== context) {
          names = item.groupNames;
          context = item.context;
          groups = store.groupsFor(context, names);
        }
        found = store.addToGroups(item.identities, groups, matching);
      } else {
        const { categoryType, department } = item.context;
        found = store.remove({ identities: item.identities, groups: item.groupNames.map((name) => (department ? { categoryType, department, name } : { categoryType, name })) }, matching);
      }
      for (const w of found) warnings.push(`data[${i}]: ${w}`);
    }
    const batchId = nextBatchId();
    return { accepted: true, data: new LosslessNumber(batchId), batchId, warnings };
  },
};
