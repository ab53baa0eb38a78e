import { join } from 'node:path';
import type { MembershipState } from '../core/model.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import { buildDesiredState } from './desired-state.js';
import { readGroupFile, type LoadedGroup } from './group-file.js';
import { listGroupFiles, readBytes } from './group-files.js';

export interface DesiredGroups {
  /** False when the groups folder does not exist (apply refuses to delete everything because of it). */
  readonly folderExists: boolean;
  readonly files: readonly string[];
  readonly groups: readonly LoadedGroup[];
  readonly state: MembershipState;
}

export type LoadGroupsResult = { ok: true; value: DesiredGroups } | { ok: false; issues: SourceIssue[] };

/** Reads and validates every group file under `dir`; all issues of all files are collected. */
export async function loadGroups(dir: string, cwd = process.cwd()): Promise<LoadGroupsResult> {
  const files = await listGroupFiles(join(cwd, dir), cwd);
  if (!files) return { ok: true, value: { folderExists: false, files: [], groups: [], state: new Map() } };
  const results = await Promise.all(files.map(async (file) => readGroupFile(file, await readBytes(join(cwd, file)))));
  return combineGroupFiles(files, results);
}

/** Combines per-file results (from any reader: in-process, workers, a watch cache) into the desired state. */
export function combineGroupFiles(
  files: readonly string[],
  results: readonly ({ ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[] })[],
): LoadGroupsResult {
  const issues: SourceIssue[] = [];
  const groups: LoadedGroup[] = [];
  for (const r of results) {
    if (r.ok) groups.push(r.group);
    else issues.push(...r.issues);
  }
  const desired = buildDesiredState(groups);
  if (!desired.ok) issues.push(...desired.issues);
  if (issues.length > 0 || !desired.ok) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, value: { folderExists: true, files, groups, state: desired.state } };
}
