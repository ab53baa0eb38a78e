import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { sha256Hex, type InputFile } from '../core/group-source.js';
import type { SourceIssue } from '../errors/index.js';
import { MAX_CSV_ISSUES, readCsvMembers, type CsvMembersResult } from './csv-members.js';
import type { GroupFileResult, LoadedGroup, LoadedMember, MemberFileRef, MemberLists } from './group-file.js';
import { DEFAULT_IDENTITY_TYPES, type IdentityTypeSettings } from './identity-types.js';
import { DEFAULT_MAX_FILE_BYTES, readInputFile, type InputFileRules } from './input-file.js';

/**
 * Where the files of a workspace are and how they are read: the folder paths are shown relative
 * to, the groups folder, and the rules every reader applies (plain data: it crosses to workers).
 */
export interface GroupsLocation {
  /** The working folder (the repository root): file paths in results are relative to it, with `/`. */
  readonly cwd: string;
  /** The groups folder (absolute): member files must stay inside it. */
  readonly root: string;
  /** The identity types and value patterns (default: the built-in types and the phone pattern). */
  readonly identityTypes?: IdentityTypeSettings;
  /** Where files must really be and their size limit (default: inside the real cwd, DEFAULT_MAX_FILE_BYTES). */
  readonly files?: InputFileRules;
  /** Record each group's input files with the SHA-256 of the bytes read (LoadedGroup.inputs). */
  readonly hashInputs?: boolean;
}

/** The identity type settings of a location. */
export function identityTypesOf(where: GroupsLocation): IdentityTypeSettings {
  return where.identityTypes ?? DEFAULT_IDENTITY_TYPES;
}

const realCwds = new Map<string, string>();

/** The file rules of a location: its own, or the defaults (inside the real path of cwd). */
export function fileRulesOf(where: GroupsLocation): InputFileRules {
  if (where.files) return where.files;
  let real = realCwds.get(where.cwd);
  if (real === undefined) {
    try {
      real = realpathSync.native(where.cwd);
    } catch {
      real = where.cwd;
    }
    realCwds.set(where.cwd, real);
  }
  return { inside: [real], maxBytes: DEFAULT_MAX_FILE_BYTES };
}

/**
 * Adds the members of a group's `memberFiles:` (CSV member lists) to the group. A file outside the
 * groups folder, missing, listed twice or invalid, and a member key listed twice across the group
 * file and its lists, are problems naming both places.
 */
export function addMemberFiles(where: GroupsLocation, group: LoadedGroup): GroupFileResult {
  if ((group.memberFiles ?? []).length === 0) return { ok: true, group };
  const { members, issues, inputs } = readMemberLists(where, group);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, group: { ...group, members, ...(where.hashInputs ? { inputs: [...(group.inputs ?? []), ...inputs] } : {}) } };
}

/** The problems of the member lists of a group file that has problems of its own (see GroupFileRead). */
export function memberListIssues(where: GroupsLocation, lists: MemberLists): SourceIssue[] {
  return readMemberLists(where, lists).issues;
}

/**
 * Reads every list a group names and merges their members. A list with problems still gives the
 * rows it could read, and a bad entry does not stop the others: every problem shows in one run.
 */
function readMemberLists(where: GroupsLocation, group: MemberLists): { members: readonly LoadedMember[]; issues: SourceIssue[]; inputs: InputFile[] } {
  const issues: SourceIssue[] = [];
  const inputs: InputFile[] = [];
  const lists: LoadedMember[][] = [];
  const firstEntry = new Map<string, MemberFileRef>();
  for (const ref of group.memberFiles ?? []) {
    const at = { file: group.file, line: ref.line, column: ref.column };
    const target = join(where.cwd, dirname(group.file), ref.path);
    const before = firstEntry.get(target);
    if (before !== undefined) {
      // Read twice, every member of the list would be reported as a duplicate of itself.
      const same = before.path === ref.path ? 'is already listed' : `is the same file as "${before.path}"`;
      issues.push({ ...at, message: `member file "${ref.path}" ${same} on line ${before.line}: remove this entry` });
      continue;
    }
    firstEntry.set(target, ref);
    const read = readMemberFile(where, group.file, ref, target, inputs);
    if (read.members) lists.push(read.members);
    if (!read.ok) issues.push(...read.issues);
  }
  return { members: mergeMembers(group, lists, issues), issues, inputs };
}

/** Reads one member list; with where.hashInputs, adds it (its path and the SHA-256 of its bytes) to `inputs`. */
function readMemberFile(where: GroupsLocation, groupFile: string, ref: MemberFileRef, target: string, inputs: InputFile[]): CsvMembersResult {
  const at = { file: groupFile, line: ref.line, column: ref.column };
  const inside = relative(where.root, target);
  if (isAbsolute(ref.path) || inside.startsWith('..') || isAbsolute(inside)) {
    return {
      ok: false,
      issues: [{ ...at, message: `member file "${ref.path}" is outside the groups folder: keep member lists inside it, next to their group files (paths are relative to the group file)` }],
    };
  }
  const shown = posix.join(posix.dirname(groupFile), ref.path.split(sep).join('/'));
  // The text check above cannot see symlinks: the real path is checked (and the kind and size) as it is read.
  const read = readInputFile(target, fileRulesOf(where));
  if (!read.ok) {
    return { ok: false, issues: [{ ...at, message: `member file "${ref.path}" ${read.message} (looked for ${shown}; paths are relative to the group file)` }] };
  }
  if (where.hashInputs) inputs.push({ path: shown, sha256: sha256Hex(read.bytes) });
  return readCsvMembers(shown, read.bytes, { identityTypes: identityTypesOf(where), ignoreColumns: ref.ignoreColumns ?? [], entry: { ...at, path: ref.path } });
}

/** The group file's members, then each list's; a key listed in two places is a problem naming both. */
function mergeMembers(group: MemberLists, lists: readonly LoadedMember[][], issues: SourceIssue[]): LoadedMember[] {
  // One list and no members in the YAML: the list is already free of duplicates, and it may be huge.
  if (group.members.length === 0 && lists.length === 1) return lists[0]!;
  const firstAt = new Map<string, LoadedMember>();
  const out: LoadedMember[] = [];
  const perFile = new Map<string, number>();
  for (const list of [group.members, ...lists]) {
    for (const m of list) {
      const before = firstAt.get(m.key);
      if (before === undefined) {
        firstAt.set(m.key, m);
        out.push(m);
        continue;
      }
      const file = m.file ?? group.file;
      const count = (perFile.get(file) ?? 0) + 1;
      perFile.set(file, count);
      if (count > MAX_CSV_ISSUES) continue;
      const id = m.member.identities[0]!;
      issues.push({
        file,
        line: m.line,
        column: 1,
        message: `duplicate member: ${id.type} "${id.value}" is already listed at ${before.file ?? group.file}:${before.line} (a member's key is its first identity): keep one of them`,
        sensitive: [id.value],
      });
    }
  }
  return out;
}
