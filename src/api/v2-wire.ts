import type { BatchItem, PlannedBatch } from '../core/batches.js';
import type { Identity } from '../core/model.js';
import { isLongDigits, jsonString } from '../core/json-text.js';
import { InternalError } from '../errors/index.js';

/** The path of the v2 membership import, after the path prefix (rabbitpre-api.md §1). */
export const V2_BATCH_ADD_PATH = '/audience/group/rel/v2/batchAdd';

/**
 * The v2 request body as JSON text: `{ publicParams: { optType, matchingType? }, data: [item] }`,
 * each item `{ identities: [{ identityValue, identityType, platform?, appid?, isWeChatEcosystem? }],
 * groups (joined by ","), categoryType ("1" enterprise, "2" department), deptId | thirdDeptId | wxDeptId }`.
 * deptId is a long on the wire, written as its exact digits (never through a JS number).
 *
 * Written directly rather than built as objects and stringified: an apply sends a thousand bodies
 * of 500 items while its requests wait, and a stringify that must write longs needs a replacer
 * called per value (most of the client's CPU per request).
 * `isMatching` is deliberately not sent: it belongs to v1 and the v2 table does not list it (the
 * seed's example carries it over from v1); matchingType alone selects the matching in v2.
 */
export function v2BodyJson(batch: PlannedBatch, matchingType?: 1 | 2): string {
  const items = batch.items;
  let out = `{"publicParams":{"optType":${jsonString(batch.op)}${matchingType !== undefined ? `,"matchingType":${matchingType}` : ''}},"data":[`;
  for (let i = 0; i < items.length; i++) out += i === 0 ? v2ItemJson(items[i]!) : `,${v2ItemJson(items[i]!)}`;
  return `${out}]}`;
}

function v2ItemJson(item: BatchItem): string {
  // An empty list would go out as groups "" (which the API rejects); the planner never makes one.
  if (item.groups.length === 0) throw new InternalError('a batch item has no groups');
  const identities = item.member.identities;
  let out = '{"identities":[';
  for (let i = 0; i < identities.length; i++) out += i === 0 ? v2IdentityJson(identities[i]!) : `,${v2IdentityJson(identities[i]!)}`;
  out += `],"groups":${jsonString(item.groups.length === 1 ? item.groups[0]! : item.groups.join(','))},"categoryType":${item.category === 'department' ? '"2"' : '"1"'}`;
  const dept = item.department;
  if (dept === undefined) return `${out}}`;
  if (dept.field === 'deptId') {
    // The loader keeps deptId as the digits written in YAML; anything else would not be a JSON integer.
    if (!isLongDigits(dept.value)) throw new InternalError(`deptId must be a non-negative integer, got "${dept.value}"`);
    return `${out},"deptId":${dept.value}}`;
  }
  return `${out},${jsonString(dept.field)}:${jsonString(dept.value)}}`;
}

function v2IdentityJson(identity: Identity): string {
  let out = `{"identityValue":${jsonString(identity.value)},"identityType":${jsonString(identity.type)}`;
  if (identity.platform !== undefined) out += `,"platform":${jsonString(identity.platform)}`;
  if (identity.appid !== undefined) out += `,"appid":${jsonString(identity.appid)}`;
  if (identity.isWeChatEcosystem !== undefined) out += `,"isWeChatEcosystem":${identity.isWeChatEcosystem ? 'true' : 'false'}`;
  return `${out}}`;
}
