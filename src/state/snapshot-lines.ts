import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { groupKey, memberKey, type GroupMembers, type GroupRef, type Member } from '../core/model.js';
import type { GroupSource } from '../core/group-source.js';
import type { TargetRecord } from '../core/target.js';
import { packageRoot } from '../load/package-root.js';
import type { LastApply, Snapshot } from './snapshot-format.js';

/**
 * Reads a snapshot in exactly the layout renderSnapshot writes (one request, group or membership
 * per line) line by line: each line is parsed on its own and checked against its part of
 * `schemas/snapshot.schema.json`, so a million-membership snapshot never exists as one JSON tree
 * beside the maps built from it. Returns undefined for anything else (another layout, invalid
 * JSON, a schema violation, a group or member listed twice): parseSnapshot then reads the text
 * whole and reports the problem with its position, so every message stays the full reader's.
 */
export function readCanonicalSnapshot(source: string | Uint8Array): Snapshot | undefined {
  const lines: LineReader = typeof source === 'string' ? new TextLines(source) : new ByteLines(source);
  const head = readHead(lines);
  if (!head) return undefined;
  const groups = readGroups(lines);
  if (!groups || lines.next() !== '}' || !lines.atEnd()) return undefined;
  return { ...head, applied: groups.applied, ...(groups.sources.size > 0 ? { sources: groups.sources } : {}) };
}

/** Lines one at a time, without splitting the whole into an array of a million strings. */
export interface LineReader {
  /** The next line without its newline; undefined past a last line that has no newline (a canonical snapshot ends with one). */
  next(): string | undefined;
  atEnd(): boolean;
}

class TextLines implements LineReader {
  private at = 0;

  constructor(private readonly text: string) {}

  next(): string | undefined {
    const end = this.text.indexOf('\n', this.at);
    if (end === -1) return undefined;
    const line = this.text.slice(this.at, end);
    this.at = end + 1;
    return line;
  }

  atEnd(): boolean {
    return this.at === this.text.length;
  }
}

/**
 * The lines of UTF-8 bytes (already checked to be UTF-8, without a byte-order mark), each decoded
 * on its own: the snapshot's text is never held whole (a Chinese group name would make all of it
 * two bytes per character), and the ASCII lines of members become one-byte strings.
 */
export class ByteLines implements LineReader {
  private at = 0;
  readonly bytes: Buffer;

  constructor(bytes: Uint8Array) {
    this.bytes = asBuffer(bytes);
  }

  /** Where the next line starts. */
  get position(): number {
    return this.at;
  }

  /** Goes on from `at` (the start of a line). */
  seek(at: number): void {
    this.at = at;
  }

  next(): string | undefined {
    const end = this.bytes.indexOf(10, this.at);
    if (end === -1) return undefined;
    const line = this.bytes.toString('utf8', this.at, end);
    this.at = end + 1;
    return line;
  }

  atEnd(): boolean {
    return this.at === this.bytes.length;
  }
}

/** The same bytes as a Buffer (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const TARGET = '  "target": ';
const LAST_APPLY = '  "lastApply": ';
const GROUP_OPEN = '    {"group":';
const MEMBERS_OPEN = ',"members":[';
const MEMBER_INDENT = '      ';
const CLOSE = '    ]';
const SOURCE_OPEN = '    ],"source":';

/** The head of a canonical snapshot: everything before its groups. */
export interface SnapshotHead {
  readonly target?: TargetRecord;
  readonly lastApply: LastApply | null;
}

/** Reads the lines before the groups (up to and including `lastApply`); undefined when not canonical or not valid. */
export function readHead(lines: LineReader): SnapshotHead | undefined {
  if (lines.next() !== '{' || lines.next() !== '  "schemaVersion": 1,') return undefined;
  let line = lines.next();
  let target: TargetRecord | undefined;
  if (line?.startsWith(TARGET)) {
    target = readTarget(line);
    if (!target) return undefined;
    line = lines.next();
  }
  const lastApply = readLastApply(line, lines);
  if (lastApply === undefined) return undefined;
  return { ...(target ? { target } : {}), lastApply };
}

/** The target line (a snapshot records its target since targets exist); undefined when not valid. */
function readTarget(line: string): TargetRecord | undefined {
  if (!line.endsWith(',')) return undefined;
  const value = parseJson(line.slice(TARGET.length, -1));
  return value !== undefined && validators().target(value) ? (value as TargetRecord) : undefined;
}

/** lastApply (from its first line): null, or its fields with the requests one per line; undefined when not canonical or not valid. */
function readLastApply(line: string | undefined, lines: LineReader): LastApply | null | undefined {
  if (line === undefined || !line.startsWith(LAST_APPLY)) return undefined;
  if (line === `${LAST_APPLY}null,`) return null;
  let json: string;
  if (line.endsWith(',"requests":[]},')) json = line.slice(LAST_APPLY.length, -1);
  else if (line.endsWith(',"requests":[')) {
    const parts = [line.slice(LAST_APPLY.length)];
    for (let request = lines.next(); request !== '  ]},'; request = lines.next()) {
      if (request === undefined || !request.startsWith('    {')) return undefined;
      parts.push(request.slice(4));
    }
    parts.push(']}');
    json = parts.join('');
  } else return undefined;
  const value = parseJson(json);
  return value !== undefined && validators().lastApply(value) ? (value as LastApply) : undefined;
}

/** Opens the groups: true when there are some, false for none, undefined when not canonical. */
export function readGroupsOpen(lines: LineReader): boolean | undefined {
  const head = lines.next();
  return head === '  "groups": [' ? true : head === '  "groups": []' ? false : undefined;
}

/** A group's first line: the group (as the model has it) and its key; undefined when not canonical or not valid. */
export function readGroupLine(line: string | undefined): { group: GroupRef; key: string } | undefined {
  if (line === undefined || !line.startsWith(GROUP_OPEN) || !line.endsWith(MEMBERS_OPEN)) return undefined;
  const stored = parseJson(line.slice(GROUP_OPEN.length, -MEMBERS_OPEN.length));
  if (stored === undefined || !validators().group(stored)) return undefined;
  const group = modelGroup(stored as GroupRef | { name: string; kind: 'customer' });
  return { group, key: groupKey(group) };
}

/** A group's last line: whether groups follow, and the group's source when it records one; undefined when not canonical or not valid. */
export function readCloseLine(line: string | undefined): { more: boolean; source?: GroupSource } | undefined {
  if (line === '    ]}' || line === '    ]},') return { more: line.endsWith(',') };
  if (line === undefined || !line.startsWith(SOURCE_OPEN)) return undefined;
  const more = line.endsWith('},');
  if (!more && !line.endsWith('}')) return undefined;
  const source = parseJson(line.slice(SOURCE_OPEN.length, more ? -2 : -1));
  return source !== undefined && validators().source(source) ? { more, source: source as GroupSource } : undefined;
}

/** The line feed and indent a group's last line starts with: the first one after a group's first line ends its members. */
export const CLOSE_MARK = Buffer.from(`\n${CLOSE}`);

/**
 * Reads member lines into `members` up to the first line that is not one, which is returned
 * (undefined at the end); false when a line is not canonical or not valid, or a member repeats.
 */
export function readMemberLines(lines: LineReader, members: Map<string, Member>): string | undefined | false {
  const validMember = validators().member;
  let line = lines.next();
  let more = true;
  while (line !== undefined && line.startsWith(MEMBER_INDENT)) {
    // Members are separated by commas: one after the last, or none between two, is not canonical.
    if (!more) return false;
    more = line.endsWith(',');
    const member = parseJson(line.slice(MEMBER_INDENT.length, more ? -1 : undefined));
    if (member === undefined || !validMember(member)) return false;
    const mk = memberKey(member as Member);
    if (members.has(mk)) return false;
    members.set(mk, member as Member);
    line = lines.next();
  }
  if (more && members.size > 0) return false;
  return line;
}

/** The groups, each with its members one per line, and their sources; undefined when not canonical, not valid, or a group or member repeats. */
function readGroups(lines: LineReader): { applied: Map<string, GroupMembers>; sources: Map<string, GroupSource> } | undefined {
  const applied = new Map<string, GroupMembers>();
  const sources = new Map<string, GroupSource>();
  const open = readGroupsOpen(lines);
  if (open !== true) return open === false ? { applied, sources } : undefined;
  for (;;) {
    const head = readGroupLine(lines.next());
    if (!head || applied.has(head.key)) return undefined;
    const members = new Map<string, Member>();
    const close = readMemberLines(lines, members);
    const end = close === false ? undefined : readCloseLine(close);
    if (!end) return undefined;
    applied.set(head.key, { group: head.group, members });
    if (end.source) sources.set(head.key, end.source);
    if (!end.more) return lines.next() === '  ]' ? { applied, sources } : undefined;
  }
}

/** The model's group: a customer group carries the placeholder category (see GroupRef). */
export function modelGroup(group: GroupRef | { name: string; kind: 'customer' }): GroupRef {
  return group.kind === 'customer' ? { name: group.name, category: 'enterprise', kind: 'customer' } : group;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

let compiled: { target: ValidateFunction; lastApply: ValidateFunction; group: ValidateFunction; member: ValidateFunction; source: ValidateFunction } | undefined;

/** Validators of the snapshot schema's parts: lastApply, a group, a member, a source (the whole document's rules, piece by piece). */
function validators(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'snapshot.schema.json'), 'utf8')) as { $id: string };
  const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addSchema(schema);
  const part = (pointer: string) => ajv.compile({ $ref: `${schema.$id}#${pointer}` });
  compiled = {
    target: part('/properties/target'),
    lastApply: part('/properties/lastApply'),
    group: part('/definitions/group'),
    member: part('/definitions/member'),
    source: part('/definitions/source'),
  };
  return compiled;
}
