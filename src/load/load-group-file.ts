import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastReadGroupLines } from './fast-group-file.js';
import { sortIssues } from '../errors/index.js';
import { readGroupFile, type GroupFileResult } from './group-file.js';
import { addMemberFiles, memberListIssues, type GroupsLocation } from './member-files.js';
import { utf8Lines } from './yaml-subset.js';

/**
 * Reads one group file and its member lists: the fast path for a valid file in the plain YAML
 * subset, the full parser (positions, wording) for everything else. Synchronous, so that worker
 * threads and the in-process path share it.
 */
export function loadGroupFile(where: GroupsLocation, file: string): GroupFileResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(where.cwd, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, issues: [{ file, line: 1, column: 1, message: `the file cannot be read (${code ?? String(err)})` }] };
  }
  return readGroupBytes(where, file, bytes);
}

/**
 * The fast path alone: the result for a file in the plain YAML subset, or undefined when the file
 * needs the full parser (also when it cannot be read: the full path reports that).
 */
export function loadGroupFileFast(where: GroupsLocation, file: string): GroupFileResult | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(where.cwd, file));
  } catch {
    return undefined;
  }
  const fast = fastRead(file, bytes);
  return fast ? addMemberFiles(where, fast) : undefined;
}

/** As loadGroupFile, for bytes already read. */
export function readGroupBytes(where: GroupsLocation, file: string, bytes: Uint8Array): GroupFileResult {
  const fast = fastRead(file, bytes);
  if (fast) return addMemberFiles(where, fast);
  const read = readGroupFile(file, bytes);
  if (read.ok) return addMemberFiles(where, read.group);
  // The lists of a faulty file are checked too, so that one run shows every problem.
  const more = read.lists ? memberListIssues(where, read.lists) : [];
  return { ok: false, issues: more.length > 0 ? sortIssues([...read.issues, ...more]) : read.issues };
}

function fastRead(file: string, bytes: Uint8Array): ReturnType<typeof fastReadGroupLines> {
  // Decoded line by line (see utf8Lines): bytes that are not UTF-8 go to the full path, which reports them.
  const lines = utf8Lines(bytes);
  return lines ? fastReadGroupLines(file, lines) : undefined;
}
