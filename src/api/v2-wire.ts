import { LosslessNumber } from 'lossless-json';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import type { Identity } from '../core/model.js';
import { InternalError } from '../errors/index.js';

/** The path of the v2 membership import, after the path prefix (rabbitpre-api.md §1). */
export const V2_BATCH_ADD_PATH = '/audience/group/rel/v2/batchAdd';

/** One identity of a person, as the v2 endpoint takes it. */
export interface V2Identity {
  identityValue: string;
  identityType: string;
  platform?: string;
  appid?: string;
  isWeChatEcosystem?: boolean;
}

/** One request item: a person and the groups (joined by ",") of one category and department. */
export interface V2Item {
  identities: V2Identity[];
  groups: string;
  /** A string on the wire ("1" enterprise, "2" department), as the seed's table types it. */
  categoryType: '1' | '2';
  /** A long on the wire: a LosslessNumber so that ids beyond 2^53 are written digit for digit. */
  deptId?: LosslessNumber;
  thirdDeptId?: string;
  wxDeptId?: string;
}

export interface V2PublicParams {
  optType: 'add' | 'delete';
  matchingType?: 1 | 2;
}

export interface V2Body {
  publicParams: V2PublicParams;
  data: V2Item[];
}

const LONG_DIGITS = /^(0|[1-9][0-9]*)$/;

/**
 * Maps a planned batch to the v2 request body.
 * `isMatching` is deliberately not sent: it belongs to v1 and the v2 table does not list it (the
 * seed's example carries it over from v1); matchingType alone selects the matching in v2.
 */
export function toV2Body(batch: PlannedBatch, matchingType?: 1 | 2): V2Body {
  const publicParams: V2PublicParams = { optType: batch.op };
  if (matchingType !== undefined) publicParams.matchingType = matchingType;
  return { publicParams, data: batch.items.map(toV2Item) };
}

function toV2Item(item: BatchItem): V2Item {
  // An empty list would go out as groups "" (which the API rejects); the planner never makes one.
  if (item.groups.length === 0) throw new InternalError('a batch item has no groups');
  const out: V2Item = {
    identities: item.member.identities.map(toV2Identity),
    groups: item.groups.join(','),
    categoryType: item.category === 'department' ? '2' : '1',
  };
  const dept = item.department;
  if (dept?.field === 'deptId') {
    // The loader keeps deptId as the digits written in YAML; anything else would not be a JSON integer.
    if (!LONG_DIGITS.test(dept.value)) throw new InternalError(`deptId must be a non-negative integer, got "${dept.value}"`);
    out.deptId = new LosslessNumber(dept.value);
  } else if (dept) out[dept.field] = dept.value;
  return out;
}

function toV2Identity(identity: Identity): V2Identity {
  const out: V2Identity = { identityValue: identity.value, identityType: identity.type };
  if (identity.platform !== undefined) out.platform = identity.platform;
  if (identity.appid !== undefined) out.appid = identity.appid;
  if (identity.isWeChatEcosystem !== undefined) out.isWeChatEcosystem = identity.isWeChatEcosystem;
  return out;
}
