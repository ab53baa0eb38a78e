import { isLosslessNumber } from 'lossless-json';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import { memberKey, type Department, type Identity } from '../core/model.js';
import { isLongDigits, jsonString } from '../core/json-text.js';
import { InternalError } from '../errors/index.js';
import { parseLossless } from './lossless-json.js';

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

/**
 * Reads a v2 request body (as v2BodyJson writes it) back into the batch it was made from, or says
 * why it is not one. groupops 0.1 journals recorded accepted requests as the body sent (journal
 * version 2), and an interrupted apply of that release must still be folded. Checked in full, as
 * input from a file: every field and its type, categoryType against the department field, deptId
 * as the exact digits of an integer (read losslessly: ids beyond 2^53). Group names never hold a
 * comma (the group schema refuses one), so splitting `groups` gives back the names sent.
 */
export function decodeV2Body(text: string): { ok: true; batch: PlannedBatch } | { ok: false; problem: string } {
  let body: unknown;
  try {
    body = parseLossless(text);
  } catch (error) {
    // The exact parser is stricter than JSON.parse (a key written twice, for one).
    return { ok: false, problem: `the body cannot be read exactly: ${(error as Error).message}` };
  }
  try {
    return { ok: true, batch: batchOf(body) };
  } catch (error) {
    if (error instanceof BodyProblem) return { ok: false, problem: error.message };
    throw error;
  }
}

class BodyProblem extends Error {}

function fail(at: string, what: string): never {
  throw new BodyProblem(`${at} ${what}`);
}

function fields(value: unknown, at: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isLosslessNumber(value)) fail(at, 'must be an object');
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => !allowed.includes(k));
  if (extra !== undefined) fail(`${at}/${extra}`, 'is not a field of the v2 body');
  return record;
}

function text(record: Record<string, unknown>, key: string, at: string, required: boolean): string | undefined {
  const value = record[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') fail(`${at}/${key}`, 'must be a string');
  return value;
}

function batchOf(body: unknown): PlannedBatch {
  const top = fields(body, '', ['publicParams', 'data']);
  const params = fields(top.publicParams, '/publicParams', ['optType', 'matchingType']);
  const op = params.optType;
  if (op !== 'add' && op !== 'delete') fail('/publicParams/optType', 'must be "add" or "delete"');
  const mt = params.matchingType;
  if (mt !== undefined && !(isLosslessNumber(mt) && (mt.toString() === '1' || mt.toString() === '2'))) fail('/publicParams/matchingType', 'must be 1 or 2');
  if (!Array.isArray(top.data)) fail('/data', 'must be an array');
  return { op: op, items: top.data.map((item, n) => itemOf(item, `/data/${n}`)) };
}

function itemOf(value: unknown, at: string): BatchItem {
  const item = fields(value, at, ['identities', 'groups', 'categoryType', 'deptId', 'thirdDeptId', 'wxDeptId']);
  if (!Array.isArray(item.identities) || item.identities.length === 0) fail(`${at}/identities`, 'must be a non-empty array');
  const identities = item.identities.map((id, n) => identityOf(id, `${at}/identities/${n}`));
  const groups = text(item, 'groups', at, true)!;
  if (groups === '') fail(`${at}/groups`, 'must not be empty');
  const categoryType = item.categoryType;
  if (categoryType !== '1' && categoryType !== '2') fail(`${at}/categoryType`, 'must be "1" or "2"');
  const departments = (['deptId', 'thirdDeptId', 'wxDeptId'] as const).filter((f) => item[f] !== undefined);
  if (departments.length > 1) fail(at, `has ${departments.join(' and ')}: at most one department field`);
  if ((categoryType === '2') !== (departments.length === 1)) fail(`${at}/categoryType`, `is "${categoryType}" but the item has ${departments.length === 1 ? 'a' : 'no'} department field`);
  let department: Department | undefined;
  const field = departments[0];
  if (field === 'deptId') {
    const digits = isLosslessNumber(item.deptId) ? item.deptId.toString() : undefined;
    if (digits === undefined || !isLongDigits(digits)) fail(`${at}/deptId`, 'is not written as the digits of an integer');
    department = { field, value: digits };
  } else if (field !== undefined) department = { field, value: text(item, field, at, true)! };
  const member = { identities };
  return { member, memberKey: memberKey(member), category: categoryType === '2' ? 'department' : 'enterprise', ...(department ? { department } : {}), groups: groups.split(',') };
}

function identityOf(value: unknown, at: string): Identity {
  const id = fields(value, at, ['identityValue', 'identityType', 'platform', 'appid', 'isWeChatEcosystem']);
  const platform = text(id, 'platform', at, false);
  const appid = text(id, 'appid', at, false);
  const ecosystem = id.isWeChatEcosystem;
  if (ecosystem !== undefined && typeof ecosystem !== 'boolean') fail(`${at}/isWeChatEcosystem`, 'must be true or false');
  return {
    type: text(id, 'identityType', at, true)!,
    value: text(id, 'identityValue', at, true)!,
    ...(platform !== undefined ? { platform } : {}),
    ...(appid !== undefined ? { appid } : {}),
    ...(ecosystem !== undefined ? { isWeChatEcosystem: ecosystem } : {}),
  };
}
