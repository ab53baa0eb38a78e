import type { ErrorObject } from 'ajv';
import { closest, nodeValue, type Wording } from './schema-issues.js';
import { sourceTextOf, type PathSegment, type YamlSource } from './yaml-source.js';

/** Fields of a shorthand member that are not its identity type. */
export const SHORTHAND_FIELDS: ReadonlySet<string> = new Set(['platform', 'appid', 'isWeChatEcosystem']);
/** Keys of a member mapping that can never be an identity type. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([...SHORTHAND_FIELDS, 'identities', 'type', 'value']);
/** What an identity type looks like (schemas/group.schema.json, definitions.identityType). */
export const IDENTITY_TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
/** What a `memberFiles:` entry looks like (schemas/group.schema.json, properties.memberFiles.items). */
export const MEMBER_FILE = /^[^\\]+\.[Cc][Ss][Vv]$/;

/**
 * The member field a shorthand key is probably a misspelling of (platfrom, appId), or undefined.
 * Short keys are left alone: "uid" is a plausible identity type, not a typo of "appid".
 */
export function shorthandFieldTypo(key: string): string | undefined {
  if (key.length < 5 || SHORTHAND_FIELDS.has(key)) return undefined;
  return closest(key, [...SHORTHAND_FIELDS]);
}

const EXAMPLE_IDENTITY = '{ type: phone, value: "18888888888" }';

function isIdentityValuePath(path: readonly PathSegment[]): boolean {
  if (path[0] !== 'members' || typeof path[1] !== 'number') return false;
  if (path.length === 3) return typeof path[2] === 'string' && !RESERVED_KEYS.has(path[2]);
  return path.length === 5 && path[2] === 'identities' && path[4] === 'value';
}

function isIdentityPath(path: readonly PathSegment[]): boolean {
  return path.length === 4 && path[0] === 'members' && path[2] === 'identities' && typeof path[3] === 'number';
}

function isMemberPath(path: readonly PathSegment[]): boolean {
  return path.length === 2 && path[0] === 'members' && typeof path[1] === 'number';
}

/** Why a group name breaks the name rule, in the user's terms. */
function nameProblem(name: unknown): string {
  if (typeof name !== 'string' || name === '') return 'name must not be empty';
  if (name.includes(',')) return 'name must not contain "," (the API splits group names at commas): rename the group';
  if (/^\s|\s$/.test(name)) return 'name must not start or end with a space: remove the space';
  return 'name must not contain control characters such as tabs or line breaks';
}

/** Why a `memberFiles:` entry breaks the path rule, in the user's terms. */
function memberFileProblem(path: string): string {
  const slashes = 'write folders with "/", not "\\" (paths are relative to the group file, e.g. lists/vip.csv)';
  const csv = 'a member list is a CSV file whose first row names identity types (e.g. phone,unionid): save it as CSV with a .csv name';
  if (!path.includes('\\')) return `member file "${path}" is not a .csv file: ${csv}`;
  return /\.csv$/i.test(path) ? `member file "${path}": ${slashes}` : `member file "${path}": ${slashes}; it is not a .csv file either: ${csv}`;
}

const MEMBER_FILES_EXAMPLE = 'memberFiles: [vip.csv]';

/** Group-file wording for the `memberFiles:` list and its entries. */
function memberFilesWording(e: ErrorObject, path: readonly PathSegment[], value: unknown): string | undefined {
  if (path[0] !== 'memberFiles') return undefined;
  if ((path.length === 2 || (path.length === 3 && path[2] === 'path')) && e.keyword === 'pattern' && typeof value === 'string') return memberFileProblem(value);
  if (path.length === 2 && e.keyword === 'type')
    return `a member file is a path to a CSV file such as vip.csv, not ${value === null ? 'empty' : JSON.stringify(value)}: write the path, or remove the entry`;
  if (path.length === 1 && e.keyword === 'type') return `memberFiles: must be a list of CSV files, e.g. ${MEMBER_FILES_EXAMPLE}`;
  if (path.length === 1 && e.keyword === 'minItems') return `memberFiles: is empty: list the CSV member files (e.g. ${MEMBER_FILES_EXAMPLE}), or remove memberFiles:`;
  return undefined;
}

/** A key next to `identities:` in a full-form member, where only `identities` is allowed. */
function fullFormExtraKey(key: string): string {
  const field = closest(key, [...SHORTHAND_FIELDS]);
  if (field !== undefined) {
    const typo = field === key ? '' : ` (did you mean "${field}"?)`;
    return `"${key}"${typo} is not allowed next to identities: put ${field} on each identity, e.g. { type: openid, value: "…", ${field}: … }`;
  }
  return `"${key}" is not allowed next to identities: list every identity of this person inside identities:, e.g. ${EXAMPLE_IDENTITY}`;
}

/** A shorthand key that cannot be an identity type. */
function badShorthandKey(key: string): string {
  if (key === '<<') return 'YAML merge keys (<<) are not supported: write the fields out';
  const hint = closest(key, [...RESERVED_KEYS]);
  return `"${key}" is not a valid identity type${hint ? ` (did you mean "${hint}"?)` : ''}: identity types start with a letter, then letters, digits or _`;
}

const CUSTOMER_NO_CONTEXT = 'a customer group (kind: customer) has no category or department: remove it (the customer-group endpoint takes group names only)';

function isCustomerGroup(source: YamlSource): boolean {
  const doc = source.value;
  return doc !== null && typeof doc === 'object' && (doc as Record<string, unknown>).kind === 'customer';
}

/** Group-file wording for schema errors that a generic message would explain badly. */
export function groupWording(source: YamlSource): Wording {
  return (e: ErrorObject, path) => {
    const p = e.params as Record<string, unknown>;
    const value = nodeValue(source, path);
    const memberFiles = memberFilesWording(e, path, value);
    if (memberFiles !== undefined) return memberFiles;
    if (e.keyword === 'type' && isIdentityValuePath(path)) {
      const written = sourceTextOf(source, path) ?? String(value);
      const typo = path.length === 3 && typeof value === 'boolean' ? closest(String(path[2]), ['isWeChatEcosystem']) : undefined;
      if (typo !== undefined) return `unknown field "${String(path[2])}" (did you mean "${typo}"?)`;
      if (typeof value === 'number' || typeof value === 'bigint') {
        return { message: `identity value ${written} is a YAML number: quote it ("${written}") so leading zeros and "+" are kept`, sensitive: [written] };
      }
      if (typeof value === 'boolean') return `identity value ${written} is a YAML boolean: quote it ("${written}") if it is meant as text`;
      if (path.length === 3 && (Array.isArray(value) || (value !== null && typeof value === 'object'))) {
        const hint = closest(String(path[2]), ['identities']);
        return `"${String(path[2])}" is read as an identity type, but its value is not text${hint ? ` (did you mean "${hint}"?)` : ''}`;
      }
      if (value === null) return 'identity value is empty: write the value, or remove the member';
    }
    if ((e.keyword === 'pattern' || e.keyword === 'minLength') && isIdentityValuePath(path)) return 'identity value is empty: write the value, or remove the member';
    if (e.keyword === 'type' && isMemberPath(path)) {
      if (value === null) return 'a member is a mapping such as phone: "18888888888", not empty';
      // A bare `- 18888888888` is an identity value without its type: quoted, and masked where PR readers look.
      const json = JSON.stringify(value);
      const message = `a member is a mapping such as phone: "18888888888", not ${json}`;
      return typeof value === 'boolean' ? message : { message, sensitive: [typeof value === 'string' ? json.slice(1, -1) : json] };
    }
    if (e.keyword === 'type' && path.length === 1 && path[0] === 'members' && value === null) {
      return 'members: must be a list; write members: [] for a group with no members';
    }
    if (path.length === 1 && path[0] === 'name' && (e.keyword === 'pattern' || e.keyword === 'minLength' || (e.keyword === 'type' && value === null))) return nameProblem(value);
    if (e.keyword === 'required' && path.length === 0 && p.missingProperty === 'name') return 'missing name: add name: <the group name on the platform>';
    if (e.keyword === 'required' && path.length === 0 && p.missingProperty === 'members') return 'missing members: add members: with a list of members (members: [] for none)';
    if (e.keyword === 'type' && path.join('.') === 'department.deptId' && typeof value === 'string') {
      return /^\s*[0-9]+\s*$/.test(value)
        ? `department.deptId is a number: write it without quotes (deptId: ${value.trim()}), or use thirdDeptId for a text id`
        : 'department.deptId is a number: use thirdDeptId or wxDeptId for a text id';
    }
    if (e.keyword === 'pattern' && (path.at(-1) === 'type' || path.length === 3)) {
      return `"${String(path.at(-1) === 'type' ? value : path[2])}" is not a valid identity type: start with a letter, then letters, digits or _`;
    }
    if (e.keyword === 'additionalProperties' && isMemberPath(path)) {
      const key = String(p.additionalProperty);
      const isFullForm = value !== null && typeof value === 'object' && 'identities' in value;
      return isFullForm ? fullFormExtraKey(key) : badShorthandKey(key);
    }
    if (e.keyword === 'false schema' && path.length === 3 && path[0] === 'members') {
      return `"${String(path[2])}" belongs to the full form: write phone: "…", or identities: [${EXAMPLE_IDENTITY}]`;
    }
    if (e.keyword === 'required' && isIdentityPath(path)) return `an identity needs type and value, e.g. ${EXAMPLE_IDENTITY}`;
    if (e.keyword === 'minItems' && path.at(-1) === 'identities') return `identities: needs at least one identity, e.g. - ${EXAMPLE_IDENTITY}`;
    if (e.keyword === 'dependencies' && p.property === 'appid') {
      return { message: 'appid requires isWeChatEcosystem: true or false (the API rejects an appid without it)', atKey: 'appid' };
    }
    if (e.keyword === 'required' && path.length === 0 && p.missingProperty === 'department') {
      return { message: 'category: department needs a department with one of wxDeptId, thirdDeptId, deptId', atKey: 'category' };
    }
    if (e.keyword === 'not' && path.length === 0) {
      if (isCustomerGroup(source)) return { message: CUSTOMER_NO_CONTEXT, atKey: 'department' };
      return { message: 'department is only allowed with category: department (remove it, or set category: department)', atKey: 'department' };
    }
    if (e.keyword === 'false schema' && path.length === 1 && path[0] === 'category') return CUSTOMER_NO_CONTEXT;
    if ((e.keyword === 'minProperties' || e.keyword === 'maxProperties') && path[0] === 'department') {
      return 'department takes exactly one of wxDeptId, thirdDeptId, deptId';
    }
    if (e.keyword === 'minProperties' && path[0] === 'members') {
      return 'a member needs an identity, e.g. phone: "18888888888" (the key is the identity type)';
    }
    return undefined;
  };
}
