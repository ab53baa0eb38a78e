import type { BatchItem, PlannedBatch } from '../../src/core/batches.js';
import { memberKey, type Identity, type Member, type Op } from '../../src/core/model.js';

/** Builders for the endpoint tests: batches read like the requests they stand for. */

export const id = (type: string, value: string, extra: Omit<Identity, 'type' | 'value'> = {}): Identity => ({ type, value, ...extra });

/** A user-group item of an enterprise group. */
export function userItem(identities: Identity[], groups: string[]): BatchItem {
  const member: Member = { identities };
  return { member, memberKey: memberKey(member), category: 'enterprise', groups };
}

/** A customer-group item. */
export function customerItem(identities: Identity[], groups: string[]): BatchItem {
  const member: Member = { identities };
  return { member, memberKey: memberKey(member), category: 'enterprise', kind: 'customer', groups };
}

export function userBatch(op: Op, ...items: BatchItem[]): PlannedBatch {
  return { op, items };
}

export function customerBatch(op: Op, ...items: BatchItem[]): PlannedBatch {
  return { op, target: 'customer', items };
}
