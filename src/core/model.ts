/** The domain model: groups, members, identities and the keys that identify them. */

export type Category = 'enterprise' | 'department';

/** The department field a department group is matched by (the API accepts exactly one). */
export type DepartmentField = 'wxDeptId' | 'thirdDeptId' | 'deptId';

/** A department reference. `deptId` is a long on the wire; it is kept as its exact decimal digits. */
export interface Department {
  readonly field: DepartmentField;
  readonly value: string;
}

/** Identifies a group on the platform: the API addresses groups by (category, department, name). */
export interface GroupRef {
  readonly name: string;
  readonly category: Category;
  readonly department?: Department;
}

export interface Identity {
  readonly type: string;
  readonly value: string;
  readonly platform?: string;
  readonly appid?: string;
  readonly isWeChatEcosystem?: boolean;
}

/** One person. The first identity is the member's key; the others travel with it. */
export interface Member {
  readonly identities: readonly Identity[];
}

/** The members of one group, by member key. */
export interface GroupMembers {
  readonly group: GroupRef;
  readonly members: ReadonlyMap<string, Member>;
}

/** A set of memberships (desired or applied), by group key. */
export type MembershipState = ReadonlyMap<string, GroupMembers>;

export type Op = 'add' | 'delete';

const SEP = '\u001f';

/** The key of a group: (category, department, name). Sorts by category, department, then name. */
export function groupKey(group: GroupRef): string {
  const dept = group.department ? `${group.department.field}=${group.department.value}` : '';
  return `${group.category}${SEP}${dept}${SEP}${group.name}`;
}

/** The context of a batch item: category and department (items of one context share one request item). */
export function contextKey(group: GroupRef): string {
  const dept = group.department ? `${group.department.field}=${group.department.value}` : '';
  return `${group.category}${SEP}${dept}`;
}

/** The key of a member: its first identity (type, value, platform, appid). */
export function memberKey(member: Member): string {
  const first = member.identities[0];
  if (!first) throw new Error('a member has at least one identity');
  return identityKey(first);
}

export function identityKey(identity: Identity): string {
  return `${identity.type}${SEP}${identity.value}${SEP}${identity.platform ?? ''}${SEP}${identity.appid ?? ''}`;
}

/** A canonical string of all of a member's identities, for telling whether anything but the key changed. */
export function memberSignature(member: Member): string {
  return JSON.stringify(member.identities.map(canonicalIdentity));
}

/** An identity with its fields in a fixed order and absent fields omitted. */
export function canonicalIdentity(identity: Identity): Identity {
  const out: { -readonly [K in keyof Identity]: Identity[K] } = { type: identity.type, value: identity.value };
  if (identity.platform !== undefined) out.platform = identity.platform;
  if (identity.appid !== undefined) out.appid = identity.appid;
  if (identity.isWeChatEcosystem !== undefined) out.isWeChatEcosystem = identity.isWeChatEcosystem;
  return out;
}

/** A group reference with its fields in a fixed order. */
export function canonicalGroup(group: GroupRef): GroupRef {
  return group.department
    ? { name: group.name, category: group.category, department: { field: group.department.field, value: group.department.value } }
    : { name: group.name, category: group.category };
}

/** Orders strings by UTF-16 code units: locale-independent and stable across machines. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts the memberships of a state. */
export function countMemberships(state: MembershipState): number {
  let n = 0;
  for (const g of state.values()) n += g.members.size;
  return n;
}
