import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { groupKey, type GroupMembers, type MembershipState } from '../core/model.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import { countryPrefixWarnings } from './country-prefix.js';
import { buildDesiredState } from './desired-state.js';
import { endpointRuleIssues, type EndpointRules } from './endpoint-rules.js';
import { stampFile, type GroupFileCache } from './group-cache.js';
import type { GroupFileResult, LoadedGroup } from './group-file.js';
import { listGroupFiles } from './group-files.js';
import { loadGroupFile, type FullParseNote } from './load-group-file.js';
import type { IdentityTypeSettings } from './identity-types.js';
import { DEFAULT_MAX_FILE_BYTES, isInside, readInputFile, type InputFileRules } from './input-file.js';
import type { GroupsLocation } from './member-files.js';

export interface DesiredGroups {
  /** False when the groups folder does not exist (apply refuses to delete everything because of it). */
  readonly folderExists: boolean;
  readonly files: readonly string[];
  readonly groups: readonly LoadedGroup[];
  readonly state: MembershipState;
  /** What is valid but probably not meant (phone numbers that differ only by +86): printed, never refused. */
  readonly warnings: readonly SourceIssue[];
  /** The group files taken as unchanged since the last apply, unread (see LoadGroupsOptions.unchanged). */
  readonly unchanged?: readonly string[];
}

export type LoadGroupsResult = { ok: true; value: DesiredGroups } | { ok: false; issues: SourceIssue[] };

export interface LoadGroupsOptions {
  /** Results kept between runs (`plan --watch`): unchanged files are not read again. */
  readonly cache?: GroupFileCache;
  /** Hears of each group file the fast reader leaves to the full YAML parser (`--verbose`). */
  readonly onFullParse?: (note: FullParseNote) => void;
  /** What the configured endpoints can carry (default: v2 for user groups). */
  readonly rules?: EndpointRules;
  /** The identity types and value patterns (default: the built-in types and the phone pattern). */
  readonly identityTypes?: IdentityTypeSettings;
  /** Files larger than this are refused unread (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
  /** Record each group's input files and the SHA-256 of their bytes (LoadedGroup.inputs), for the snapshot. */
  readonly hashInputs?: boolean;
  /**
   * Asked for each group file before reading it: the group as last applied when the file (and its
   * member lists, read through `read`) is known to declare exactly that, so it is not parsed (see
   * core/group-source.ts). Not asked with a cache.
   */
  readonly unchanged?: UnchangedLookup;
}

/** A group taken as unchanged since the last apply: its key and its members (the applied ones). */
export interface UnchangedGroup {
  readonly key: string;
  readonly entry: GroupMembers;
}

/**
 * Tells whether a group file is unchanged since the last apply; `read` gives the bytes of a file
 * (a path relative to the repository root) under the rules every group file is read by, or
 * undefined when it cannot be read.
 */
export type UnchangedLookup = (file: string, read: (path: string) => Uint8Array | undefined) => UnchangedGroup | undefined;

/**
 * Reads and validates every group file under `dir` (and their CSV member lists); all issues of all
 * files are collected.
 */
export async function loadGroups(dir: string, cwd = process.cwd(), options: LoadGroupsOptions = {}): Promise<LoadGroupsResult> {
  const root = join(cwd, dir);
  const files = await listGroupFiles(root, cwd);
  if (!files) return { ok: true, value: { folderExists: false, files: [], groups: [], state: new Map(), warnings: [] } };
  const inside = await realFolders(cwd, root);
  if (!inside.ok) return { ok: false, issues: [{ file: dir, line: 1, column: 1, message: inside.message }] };
  const where: GroupsLocation = {
    cwd,
    root,
    ...(options.identityTypes ? { identityTypes: options.identityTypes } : {}),
    files: { inside: inside.folders, maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES },
    ...(options.hashInputs ? { hashInputs: true } : {}),
  };
  // Stamps are taken before reading, so an edit made while reading is seen by the next run.
  const stamps = await Promise.all(files.map((file) => stampFile(join(cwd, file))));
  const results: (GroupFileResult | undefined)[] = files.map((file, i) => options.cache?.lookup(file, stamps[i]));
  const todo = files.flatMap((_, i) => (results[i] === undefined ? [i] : []));
  const unchanged = new Map<number, UnchangedGroup>();
  if (options.unchanged && !options.cache) {
    const read = readerOf(cwd, where.files!);
    for (const i of todo) {
      const same = options.unchanged(files[i]!, read);
      if (same) unchanged.set(i, same);
    }
  }
  const load = (i: number) => {
    results[i] = loadGroupFile(where, files[i]!, options.onFullParse);
    options.cache?.store(cwd, files[i]!, stamps[i], results[i]);
  };
  for (const i of todo) if (!unchanged.has(i)) load(i);
  // A changed file that declares a group an unchanged one does is read with it, so that both are
  // reported where they declare it.
  const declared = new Set(results.flatMap((r) => (r?.ok ? [groupKey(r.group.group)] : [])));
  for (const [i, same] of unchanged) {
    if (!declared.has(same.key)) continue;
    unchanged.delete(i);
    load(i);
  }
  options.cache?.retain(files);
  const read = files.flatMap((_, i) => (unchanged.has(i) ? [] : [results[i]!]));
  const combined = combineGroupFiles(files, read, options.rules, [...unchanged.values()]);
  if (!combined.ok || unchanged.size === 0) return combined;
  return { ok: true, value: { ...combined.value, unchanged: [...unchanged.keys()].map((i) => files[i]!) } };
}

/** Combines per-file results (from any reader: in-process, workers, a watch cache) into the desired state. */
export function combineGroupFiles(
  files: readonly string[],
  results: readonly ({ ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[] })[],
  rules: EndpointRules = { userEndpoint: 'v2' },
  unchanged: readonly UnchangedGroup[] = [],
): LoadGroupsResult {
  const issues: SourceIssue[] = [];
  const groups: LoadedGroup[] = [];
  for (const r of results) {
    if (r.ok) groups.push(r.group);
    else issues.push(...r.issues);
  }
  // Checked on every run (cached files included): the rules depend on the config, not only on the file.
  issues.push(...endpointRuleIssues(groups, rules));
  const desired = buildDesiredState(groups, unchanged);
  if (!desired.ok) issues.push(...desired.issues);
  if (issues.length > 0 || !desired.ok) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, value: { folderExists: true, files, groups, state: desired.state, warnings: sortIssues(countryPrefixWarnings(groups)) } };
}

/**
 * Reads a file (a path relative to cwd) as group files and member lists are read: undefined when it
 * cannot be (missing, not a regular file, outside the repository, above the size limit).
 */
function readerOf(cwd: string, rules: InputFileRules): (path: string) => Uint8Array | undefined {
  return (path) => {
    const got = readInputFile(join(cwd, path), rules);
    return got.ok ? got.bytes : undefined;
  };
}

/** The reader of loadGroups's files for the groups folder `dir` (as loadGroups is given it); undefined when the folder is refused. */
export async function groupInputReader(dir: string, cwd: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<((path: string) => Uint8Array | undefined) | undefined> {
  const inside = await realFolders(cwd, join(cwd, dir)).catch(() => undefined);
  return inside?.ok ? readerOf(cwd, { inside: inside.folders, maxBytes: maxFileBytes }) : undefined;
}

/**
 * The real folders group files and member lists may be in: the repository (cwd), and the groups
 * folder itself when it is given outside the repository on purpose (--groups /elsewhere). A groups
 * folder inside the repository that is really elsewhere (a symlink) is refused: a pull request
 * could point it anywhere.
 */
async function realFolders(cwd: string, root: string): Promise<{ ok: true; folders: string[] } | { ok: false; message: string }> {
  const [realCwd, realRoot] = await Promise.all([realpath(cwd), realpath(root)]);
  if (!isInside(root, cwd)) return { ok: true, folders: [realRoot] };
  if (!isInside(realRoot, realCwd)) {
    return { ok: false, message: `the groups folder is a symlink that leads outside the repository (to ${realRoot}): keep the group files in the repository` };
  }
  return { ok: true, folders: [realCwd] };
}
