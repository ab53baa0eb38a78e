import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { MembershipState } from '../core/model.js';
import { sortIssues, type SourceIssue } from '../errors/index.js';
import { countryPrefixWarnings } from './country-prefix.js';
import { buildDesiredState } from './desired-state.js';
import { endpointRuleIssues, type EndpointRules } from './endpoint-rules.js';
import { sizeOfStamp, stampFile, type GroupFileCache, type FileStamp } from './group-cache.js';
import type { GroupFileResult, LoadedGroup } from './group-file.js';
import { listGroupFiles } from './group-files.js';
import { loadGroupFile, loadGroupFileFast } from './load-group-file.js';
import type { IdentityTypeSettings } from './identity-types.js';
import { DEFAULT_MAX_FILE_BYTES, isInside } from './input-file.js';
import type { GroupsLocation } from './member-files.js';
import { parseThreads, POOL_MIN_BYTES, readInPool, workersAvailable } from './parse-pool.js';

export interface DesiredGroups {
  /** False when the groups folder does not exist (apply refuses to delete everything because of it). */
  readonly folderExists: boolean;
  readonly files: readonly string[];
  readonly groups: readonly LoadedGroup[];
  readonly state: MembershipState;
  /** What is valid but probably not meant (phone numbers that differ only by +86): printed, never refused. */
  readonly warnings: readonly SourceIssue[];
}

export type LoadGroupsResult = { ok: true; value: DesiredGroups } | { ok: false; issues: SourceIssue[] };

export interface LoadGroupsOptions {
  /** Results kept between runs (`plan --watch`): unchanged files are not read again. */
  readonly cache?: GroupFileCache;
  /** Parsing threads (default: GROUPOPS_PARSE_THREADS, else one per core); 1 reads in-process. */
  readonly threads?: number;
  /** What the configured endpoints can carry (default: v2 for user groups). */
  readonly rules?: EndpointRules;
  /** The identity types and value patterns (default: the built-in types and the phone pattern). */
  readonly identityTypes?: IdentityTypeSettings;
  /** Files larger than this are refused unread (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
}

/**
 * Reads and validates every group file under `dir` (and their CSV member lists); all issues of all
 * files are collected. Large folders are parsed on worker threads when running from the build.
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
  };
  // Stamps are taken before reading, so an edit made while reading is seen by the next run.
  const stamps = await Promise.all(files.map((file) => stampFile(join(cwd, file))));
  const results: (GroupFileResult | undefined)[] = files.map((file, i) => options.cache?.lookup(file, stamps[i]));
  const todo = files.flatMap((_, i) => (results[i] === undefined ? [i] : []));
  const fresh = await readGroupFiles(where, todo.map((i) => files[i]!), todo.map((i) => stamps[i]), options.threads ?? parseThreads());
  todo.forEach((i, k) => {
    results[i] = fresh[k]!;
    options.cache?.store(cwd, files[i]!, stamps[i], fresh[k]!);
  });
  options.cache?.retain(files);
  return combineGroupFiles(files, results as GroupFileResult[], options.rules);
}

/**
 * Reads files in-process through the fast path; the files it leaves to the full parser (some 30
 * times slower) go to worker threads when they add up to enough bytes and workers can run. Measured
 * on 2 cores, parsing everything on workers was slower than the fast path in-process: the results'
 * transfer costs about what the fast path saves.
 */
async function readGroupFiles(where: GroupsLocation, files: readonly string[], stamps: readonly (FileStamp | undefined)[], threads: number): Promise<GroupFileResult[]> {
  const results: (GroupFileResult | undefined)[] = files.map((file) => loadGroupFileFast(where, file));
  const slow = files.flatMap((_, i) => (results[i] === undefined ? [i] : []));
  const sizes = slow.map((i) => sizeOfStamp(stamps[i]));
  const bytes = sizes.reduce((n, s) => n + s, 0);
  if (threads > 1 && slow.length > 1 && bytes >= POOL_MIN_BYTES && workersAvailable()) {
    const pooled = await readInPool(where, slow.map((i) => files[i]!), sizes, threads);
    slow.forEach((i, k) => (results[i] = pooled[k]));
  } else for (const i of slow) results[i] = loadGroupFile(where, files[i]!);
  return results as GroupFileResult[];
}
/** Combines per-file results (from any reader: in-process, workers, a watch cache) into the desired state. */
export function combineGroupFiles(
  files: readonly string[],
  results: readonly ({ ok: true; group: LoadedGroup } | { ok: false; issues: SourceIssue[] })[],
  rules: EndpointRules = { userEndpoint: 'v2' },
): LoadGroupsResult {
  const issues: SourceIssue[] = [];
  const groups: LoadedGroup[] = [];
  for (const r of results) {
    if (r.ok) groups.push(r.group);
    else issues.push(...r.issues);
  }
  // Checked on every run (cached files included): the rules depend on the config, not only on the file.
  issues.push(...endpointRuleIssues(groups, rules));
  const desired = buildDesiredState(groups);
  if (!desired.ok) issues.push(...desired.issues);
  if (issues.length > 0 || !desired.ok) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, value: { folderExists: true, files, groups, state: desired.state, warnings: sortIssues(countryPrefixWarnings(groups)) } };
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
