import { memberKey, type Category, type DepartmentField, type GroupRef, type Identity, type Member } from '../../core/model.js';
import { MemberIndex } from '../../core/sorted-members.js';
import { MAX_LONG, type LoadedGroup, type LoadedMember, type MemberFileRef } from '../group-file.js';
import { IDENTITY_TYPE, RESERVED_KEYS } from '../group-wording.js';
import { buildIdentity, isSendableIdentity } from '../identity-check.js';
import { isCleanIdentityText, trimBlanks } from '../identity-text.js';
import { identityTypeRules, type IdentityTypeRules, type IdentityTypeSettings } from '../identity-types.js';
import { rememberMemberMap } from '../member-maps.js';
import { schemaValidator } from '../schemas.js';
import { readYamlSubset, type SubsetRefusal } from './yaml-subset.js';

/** Why the fast path left a file to the full parser: where and what (see SubsetRefusal), for `--verbose`. */
export type FastRefusal = SubsetRefusal;

/**
 * The fast path of readGroupFile for a valid file in the plain YAML subset, from its lines (split at
 * line feeds; see readYamlSubset, which changes them): the same LoadedGroup, without building a
 * YAML document with positions. A file that leaves the subset or has any problem gives where and
 * why, so that the full path (group-file.ts) reports it with its positions and wording;
 * test/load/fast/ holds the two paths to the same results.
 */
export function fastReadGroupLines(file: string, textLines: string[], identityTypes?: IdentityTypeSettings): LoadedGroup | FastRefusal {
  const rules = identityTypeRules(identityTypes);
  const doc = readYamlSubset(textLines);
  if (!('value' in doc)) return doc;
  const value = doc.value;
  // The schema is the contract: a file it faults in any way is the full path's to report.
  if (!schemaValidator('group')(value)) return { line: 1, reason: 'a problem the schema finds' };
  const group = groupRefOf(value, doc.deptIdText);
  if (!group) return { line: doc.keyLines.get('department') ?? 1, reason: 'a department id with a problem' };
  const raw = Array.isArray(value.members) ? (value.members as Record<string, unknown>[]) : [];
  const lines = doc.itemLines.get('members') ?? [];
  const members: LoadedMember[] = new Array<LoadedMember>(raw.length);
  // The duplicate check leaves the group's member map (see member-maps.ts).
  const index = new MemberIndex(members);
  for (let i = 0; i < raw.length; i++) {
    const member = memberOf(raw[i]!, rules);
    if (!member) return { line: lines[i] ?? 1, reason: 'a member with a problem' };
    const key = memberKey(member);
    if (!index.add(key)) return { line: lines[i] ?? 1, reason: 'a member listed twice' };
    members[i] = { key, member, line: lines[i]! };
  }
  const { members: byKey, repeated } = index.finish();
  if (repeated.length > 0) return { line: lines[repeated[0]!.index] ?? 1, reason: 'a member listed twice' };
  rememberMemberMap(members, byKey);
  // An entry written as { path, ignoreColumns } is the full path's, which has the positions of its parts.
  if (Array.isArray(value.memberFiles) && !value.memberFiles.every((p) => typeof p === 'string'))
    return { line: doc.keyLines.get('memberFiles') ?? 1, reason: 'a memberFiles entry written as a mapping' };
  const memberFiles = memberFileRefs(textLines, value.memberFiles, doc.itemLines.get('memberFiles'));
  return {
    file,
    group,
    nameLine: doc.keyLines.get('name')!,
    members,
    ...(typeof value.description === 'string' ? { description: value.description } : {}),
    ...(memberFiles ? { memberFiles } : {}),
  };
}

/** The group reference, or undefined for what only the full path reports (blank or unclean ids, a deptId beyond a long). */
function groupRefOf(value: Record<string, unknown>, deptIdText: string | undefined): GroupRef | undefined {
  const name = value.name as string;
  const category = (value.category ?? 'enterprise') as Category;
  if (value.kind === 'customer') return { name, category, kind: 'customer' };
  if (category !== 'department') return { name, category };
  const dept = value.department as Record<string, unknown>;
  const field = (['wxDeptId', 'thirdDeptId', 'deptId'] as const).find<DepartmentField>((f): f is DepartmentField => Object.hasOwn(dept, f));
  if (!field) return undefined;
  if (field === 'deptId') {
    // As written, leading zeros aside (as group-file.ts takes it): a long beyond 2^53 stays exact.
    if (deptIdText === undefined) return undefined;
    const digits = deptIdText.replace(/^0+(?=[0-9])/, '');
    return BigInt(digits) > MAX_LONG ? undefined : { name, category, department: { field, value: digits } };
  }
  const id = trimBlanks(String(dept[field]));
  return id === '' || !isCleanIdentityText(id) ? undefined : { name, category, department: { field, value: id } };
}

/** A schema-valid member as readGroupFile builds it; undefined where readGroupFile would report something. */
function memberOf(m: Record<string, unknown>, rules: IdentityTypeRules): Member | undefined {
  if (Object.hasOwn(m, 'identities')) {
    const list = m.identities as Record<string, unknown>[];
    const identities: Identity[] = new Array<Identity>(list.length);
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      const identity = identityOf(id.type as string, id.value as string, id, rules);
      if (!identity) return undefined;
      identities[i] = identity;
    }
    return { identities };
  }
  let type: string | undefined;
  for (const k in m) {
    if (RESERVED_KEYS.has(k)) continue;
    if (type !== undefined || !IDENTITY_TYPE.test(k)) return undefined;
    type = k;
  }
  if (type === undefined || typeof m[type] !== 'string') return undefined;
  const identity = identityOf(type, m[type] as string, m, rules);
  return identity ? { identities: [identity] } : undefined;
}

function identityOf(type: string, value: string, fields: Record<string, unknown>, rules: IdentityTypeRules): Identity | undefined {
  const id = buildIdentity(type, value, fields);
  return id.value !== '' && isSendableIdentity(id, rules) ? id : undefined;
}

/** `memberFiles:` entries with their positions (the column of the value after `- `); `textLines` without BOM and CRs. */
function memberFileRefs(textLines: readonly string[], paths: unknown, lines: readonly number[] | undefined): MemberFileRef[] | undefined {
  if (!Array.isArray(paths)) return undefined;
  return (paths as string[]).map((path, i) => {
    const line = lines?.[i] ?? 1;
    const lineText = textLines[line - 1] ?? '';
    const dash = lineText.indexOf('- ');
    let column = dash + 2;
    while (lineText.charCodeAt(column) === 32) column++;
    return { path, line, column: column + 1 };
  });
}
