import { join } from 'node:path';
import { fastReadGroupLines } from './fast-group-file.js';
import { sortIssues } from '../errors/index.js';
import { readGroupFile, type GroupFileResult } from './group-file.js';
import { readInputFile } from './input-file.js';
import { addMemberFiles, fileRulesOf, identityTypesOf, memberListIssues, type GroupsLocation } from './member-files.js';
import { utf8Lines } from './yaml-subset.js';

/**
 * The largest group file the full YAML parser takes. It builds a document of every node with its
 * position, some 60 bytes of memory per byte of YAML; a bigger file is read by the fast path only,
 * so a huge file outside the plain subset is refused instead of exhausting memory.
 */
export const FULL_PARSE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Reads one group file and its member lists: the fast path for a valid file in the plain YAML
 * subset, the full parser (positions, wording) for everything else. Synchronous, so that worker
 * threads and the in-process path share it. Only a regular file inside the repository (symlinks
 * resolved) and within the size limit is read.
 */
export function loadGroupFile(where: GroupsLocation, file: string): GroupFileResult {
  const read = readInputFile(join(where.cwd, file), fileRulesOf(where));
  if (!read.ok) {
    // Listed only as a symlink (a real folder is walked): say why its files are not read.
    const message = read.reason === 'folder' ? 'is a symlink to a folder, which groupops does not follow: move the group files into the groups folder, or link each file' : read.message;
    return { ok: false, issues: [{ file, line: 1, column: 1, message: `this ${message}` }] };
  }
  return readGroupBytes(where, file, read.bytes);
}

/**
 * The fast path alone: the result for a file in the plain YAML subset, or undefined when the file
 * needs the full parser (also when it cannot be read: the full path reports that).
 */
export function loadGroupFileFast(where: GroupsLocation, file: string): GroupFileResult | undefined {
  const read = readInputFile(join(where.cwd, file), fileRulesOf(where));
  if (!read.ok) return undefined;
  const fast = fastRead(where, file, read.bytes);
  return fast ? addMemberFiles(where, fast) : undefined;
}

/** As loadGroupFile, for bytes already read. */
export function readGroupBytes(where: GroupsLocation, file: string, bytes: Uint8Array): GroupFileResult {
  const fast = fastRead(where, file, bytes);
  if (fast) return addMemberFiles(where, fast);
  if (bytes.length > FULL_PARSE_MAX_BYTES) {
    const message = `the group file is ${Math.round(bytes.length / (1024 * 1024))} MiB and has a problem, or YAML beyond the plain form, that only the full YAML parser can point at, which reads files up to ${FULL_PARSE_MAX_BYTES / (1024 * 1024)} MiB: keep a group this big in a CSV member list (memberFiles), or split it`;
    return { ok: false, issues: [{ file, line: 1, column: 1, message }] };
  }
  const read = readGroupFile(file, bytes, identityTypesOf(where));
  if (read.ok) return addMemberFiles(where, read.group);
  // The lists of a faulty file are checked too, so that one run shows every problem.
  const more = read.lists ? memberListIssues(where, read.lists) : [];
  return { ok: false, issues: more.length > 0 ? sortIssues([...read.issues, ...more]) : read.issues };
}

function fastRead(where: GroupsLocation, file: string, bytes: Uint8Array): ReturnType<typeof fastReadGroupLines> {
  // Decoded line by line (see utf8Lines): bytes that are not UTF-8 go to the full path, which reports them.
  const lines = utf8Lines(bytes);
  return lines ? fastReadGroupLines(file, lines, identityTypesOf(where)) : undefined;
}
