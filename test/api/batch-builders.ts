import type { BatchItem, PlannedBatch } from '../../src/core/batches.js';
import { memberKey, type Department, type Identity, type Member, type Op } from '../../src/core/model.js';

/** Small builders for API tests: batches read like the requests they stand for. */

export const phone = (value: string): Identity => ({ type: 'phone', value });

export function item(identities: Identity[], groups: string[], department?: Department): BatchItem {
  const member: Member = { identities };
  return { member, memberKey: memberKey(member), category: department ? 'department' : 'enterprise', ...(department ? { department } : {}), groups };
}

export function batch(op: Op, ...items: BatchItem[]): PlannedBatch {
  return { op, items };
}

/** A one-item add batch, for tests about transport rather than content. */
export function smallBatch(op: Op = 'add'): PlannedBatch {
  return batch(op, item([phone('18888888888')], ['VIP客户']));
}
