import { join } from 'node:path';
import { sha256Hex } from '../core/group-source.js';
import { sortIssues } from '../errors/index.js';
import { fastReadGroupLines, type FastRefusal } from './fast/fast-group-file.js';
import { utf8Lines } from './fast/utf8-lines.js';
import { readGroupFile, type GroupFileResult, type LoadedGroup } from './group-file.js';
import { readInputFile } from './input-file.js';
import { addMemberFiles, fileRulesOf, identityTypesOf, memberListIssues, type GroupsLocation } from './member-files.js';

/**
 * The largest group file the full YAML parser takes. It builds a document of every node with its
 * position, some 60 bytes of memory per byte of YAML; a bigger file is read by the fast path only,
 * so a huge file outside the plain subset is refused instead of exhausting memory.
 */
export const FULL_PARSE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * A group file the fast reader left to the full YAML parser, and why: what `--verbose` prints, so
 * that a slow plan can be explained (the full parser is some 30 times slower).
 */
export interface FullParseNote {
  readonly file: string;
  /** Where the file left the fast reader's plain form (1-based), and what it met there. */
  readonly line: number;
  readonly reason: string;
  /** How long the full parser took (and the member lists, when the file has any). */
  readonly ms: number;
}

/**
 * Reads one group file and its member lists: the fast path for a valid file in the plain YAML
 * subset, the full parser (positions, wording) for everything else, which `onFullParse` hears of.
 * Only a regular file inside the repository (symlinks resolved) and within the size limit is read.
 */
export function loadGroupFile(where: GroupsLocation, file: string, onFullParse?: (note: FullParseNote) => void): GroupFileResult {
  const read = readInputFile(join(where.cwd, file), fileRulesOf(where));
  if (!read.ok) {
    // Listed only as a symlink (a real folder is walked): say why its files are not read.
    const message = read.reason === 'folder' ? 'is a symlink to a folder, which groupops does not follow: move the group files into the groups folder, or link each file' : read.message;
    return { ok: false, issues: [{ file, line: 1, column: 1, message: `this ${message}` }] };
  }
  return readGroupBytes(where, file, read.bytes, onFullParse);
}

/** As loadGroupFile, for bytes already read. */
export function readGroupBytes(where: GroupsLocation, file: string, bytes: Uint8Array, onFullParse?: (note: FullParseNote) => void): GroupFileResult {
  // The group file comes first among its inputs; addMemberFiles adds the lists.
  const hashed = where.hashInputs ? (group: LoadedGroup): LoadedGroup => ({ ...group, inputs: [{ path: file, sha256: sha256Hex(bytes) }] }) : (group: LoadedGroup) => group;
  const fast = fastRead(where, file, bytes);
  if ('group' in fast) return addMemberFiles(where, hashed(fast));
  const started = performance.now();
  const result = fullRead(where, file, bytes, hashed);
  onFullParse?.({ file, line: fast.line, reason: fast.reason, ms: performance.now() - started });
  return result;
}

function fullRead(where: GroupsLocation, file: string, bytes: Uint8Array, hashed: (group: LoadedGroup) => LoadedGroup): GroupFileResult {
  if (bytes.length > FULL_PARSE_MAX_BYTES) {
    const message = `the group file is ${Math.round(bytes.length / (1024 * 1024))} MiB and has a problem, or YAML beyond the plain form, that only the full YAML parser can point at, which reads files up to ${FULL_PARSE_MAX_BYTES / (1024 * 1024)} MiB: keep a group this big in a CSV member list (memberFiles), or split it`;
    return { ok: false, issues: [{ file, line: 1, column: 1, message }] };
  }
  const read = readGroupFile(file, bytes, identityTypesOf(where));
  if (read.ok) return addMemberFiles(where, hashed(read.group));
  // The lists of a faulty file are checked too, so that one run shows every problem.
  const more = read.lists ? memberListIssues(where, read.lists) : [];
  return { ok: false, issues: more.length > 0 ? sortIssues([...read.issues, ...more]) : read.issues };
}

function fastRead(where: GroupsLocation, file: string, bytes: Uint8Array): LoadedGroup | FastRefusal {
  // Decoded line by line (see utf8Lines): bytes that are not UTF-8 go to the full path, which reports them.
  const lines = utf8Lines(bytes);
  return lines ? fastReadGroupLines(file, lines, identityTypesOf(where)) : { line: 1, reason: 'bytes that are not UTF-8' };
}
