import type { ValidateFunction } from 'ajv';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import type { Op } from '../core/model.js';
import { isLongDigits, jsonString } from '../core/json-text.js';

/**
 * Journal records in the wire form (journal version 2): a request the v2 endpoint accepted in full
 * is recorded as `{"index","op","batchId","v2":<the request body exactly as sent>}`. Its items are
 * the body's items, so the bytes already encoded for the request are written as they are, instead
 * of the same items formatted and encoded a second time (half the client's CPU per request).
 * Readers turn the body back into the record's items (toItemsForm); partial and unknown results,
 * v1 and customer-group requests keep the items form.
 */

/** The start of a wire record, up to the body; WIRE_RECORD_END closes it. */
export function wireRecordStart(index: number, op: Op, batchId: string): string {
  return `{"index":${index},"op":${jsonString(op)},"batchId":${jsonString(batchId)},"v2":`;
}

export const WIRE_RECORD_END = '}\n';

/** Whether a parsed record line is in the wire form. */
export function isWireRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'v2' in value;
}

interface WireIdentity {
  identityValue: string;
  identityType: string;
  platform?: string;
  appid?: string;
  isWeChatEcosystem?: boolean;
}
interface WireItem {
  identities: WireIdentity[];
  groups: string;
  categoryType: '1' | '2';
  deptId?: number;
  thirdDeptId?: string;
  wxDeptId?: string;
}
interface WireRecord {
  index: number;
  op: Op;
  batchId: string;
  v2: { publicParams: { optType: Op }; data: WireItem[] };
}

/**
 * A parsed wire record line as an items-form record, or the reason it is not one: checked here
 * against the wireRecord definition of schemas/journal.schema.json (`validate`), then for what a
 * schema does not say (optType agrees with op, department fields agree with categoryType). deptId is a long: when an item has one, its digits are read
 * from the line's text (JSON.parse would round ids beyond 2^53). Group names never hold a comma
 * (the group schema refuses it), so splitting `groups` gives back exactly the names sent.
 */
export function toItemsForm(line: string, value: unknown, validate: ValidateFunction): { record: unknown } | { problem: string } {
  if (!validate(value)) {
    const e = validate.errors?.[0];
    return { problem: `${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}` };
  }
  const wire = value as unknown as WireRecord;
  if (wire.v2.publicParams.optType !== wire.op) return { problem: `/v2/publicParams/optType is "${wire.v2.publicParams.optType}" but the record's op is "${wire.op}"` };
  const mismatch = wire.v2.data.findIndex((d) => (d.categoryType === '2') !== (d.deptId !== undefined || d.thirdDeptId !== undefined || d.wxDeptId !== undefined));
  if (mismatch !== -1) return { problem: `/v2/data/${mismatch} has categoryType "${wire.v2.data[mismatch]!.categoryType}" but ${wire.v2.data[mismatch]!.categoryType === '2' ? 'no' : 'a'} department field` };
  let exactDeptIds: (string | undefined)[] = [];
  try {
    if (wire.v2.data.some((d) => d.deptId !== undefined)) exactDeptIds = deptIdDigits(line);
  } catch (error) {
    // The exact parser is stricter than JSON.parse (a key written twice, for one).
    return { problem: `the line cannot be read exactly: ${(error as Error).message}` };
  }
  const badDeptId = exactDeptIds.findIndex((digits) => digits !== undefined && !isLongDigits(digits));
  if (badDeptId !== -1) return { problem: `/v2/data/${badDeptId}/deptId is not written as the digits of an integer` };
  const items = wire.v2.data.map((d, n) => {
    const identities = d.identities.map((i) => ({
      type: i.identityType,
      value: i.identityValue,
      ...(i.platform !== undefined ? { platform: i.platform } : {}),
      ...(i.appid !== undefined ? { appid: i.appid } : {}),
      ...(i.isWeChatEcosystem !== undefined ? { isWeChatEcosystem: i.isWeChatEcosystem } : {}),
    }));
    const department =
      d.deptId !== undefined
        ? { field: 'deptId', value: exactDeptIds[n] }
        : d.thirdDeptId !== undefined
          ? { field: 'thirdDeptId', value: d.thirdDeptId }
          : d.wxDeptId !== undefined
            ? { field: 'wxDeptId', value: d.wxDeptId }
            : undefined;
    return { member: { identities }, category: d.categoryType === '2' ? 'department' : 'enterprise', ...(department ? { department } : {}), groups: d.groups.split(',') };
  });
  return { record: { index: wire.index, op: wire.op, batchId: wire.batchId, items } };
}

/** Each item's deptId digits (undefined where it has none), parsed losslessly from the line. */
function deptIdDigits(line: string): (string | undefined)[] {
  const exact = parseLossless(line) as { v2: { data: { deptId?: unknown }[] } };
  return exact.v2.data.map((d) => (isLosslessNumber(d.deptId) ? d.deptId.toString() : undefined));
}
