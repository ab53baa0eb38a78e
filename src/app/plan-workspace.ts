import type { BatchMemo } from '../core/batches.js';
import type { DiffMemo } from '../core/diff.js';
import { buildPlan, type Plan } from '../core/plan.js';
import { countMemberships } from '../core/model.js';
import { InvalidInputError } from '../errors/index.js';
import type { GroupFileCache } from '../load/group-cache.js';
import { endpointRulesOf } from '../load/endpoint-config.js';
import type { FullParseNote } from '../load/load-group-file.js';
import { loadGroups, type DesiredGroups, type UnchangedLookup } from '../load/load-groups.js';
import type { FileSystem } from '../state/file-system.js';
import type { SnapshotCache } from '../state/snapshot-cache.js';
import type { Snapshot } from '../state/snapshot-format.js';
import { readSnapshotBytes, sectionsOf, type SnapshotSections } from '../state/snapshot-sections.js';
import { readSnapshot, readSnapshotOf } from '../state/snapshot-store.js';
import { sourceContext, unchangedGroups } from './group-sources.js';
import { checkSnapshotTarget } from './target.js';
import { resolveIn, type Workspace } from './workspace.js';

export interface WorkspacePlan {
  readonly plan: Plan;
  readonly desired: DesiredGroups;
  readonly snapshot: Snapshot;
  /** The digest of the snapshot text the plan was made from (null: no snapshot yet), to detect a concurrent apply. */
  readonly snapshotDigest: string | null;
}

/** What `plan --watch` keeps between runs so that a re-plan after one edit reads and compares one file. */
export interface PlanCaches {
  readonly groups: GroupFileCache;
  readonly snapshot: SnapshotCache;
  readonly diff: DiffMemo;
  readonly batches: BatchMemo;
}

/** How validateGroups reads: for an apply (hashing each group's input files), or for a plan that may leave unchanged files unread. */
export interface ValidateOptions {
  readonly caches?: PlanCaches;
  /** Record each group's input files and their SHA-256 (apply and adopt write them as the groups' sources). */
  readonly hashInputs?: boolean;
  readonly unchanged?: UnchangedLookup;
}

/** Reads and validates the group files; throws InvalidInputError with every issue. */
export async function validateGroups(ws: Workspace, options: ValidateOptions = {}): Promise<DesiredGroups> {
  const { caches } = options;
  const log = ws.log;
  const started = performance.now();
  let full = 0;
  const loaded = await loadGroups(ws.groupsDir, ws.cwd, {
    rules: endpointRulesOf(ws.config),
    identityTypes: ws.config.identityTypes,
    maxFileBytes: ws.config.limits.maxFileBytes,
    ...(caches ? { cache: caches.groups } : {}),
    ...(options.hashInputs ? { hashInputs: true } : {}),
    ...(options.unchanged ? { unchanged: options.unchanged } : {}),
    ...(log
      ? {
          onFullParse: (note: FullParseNote) => {
            full++;
            log(`${note.file}: read by the full YAML parser (${Math.round(note.ms)} ms): line ${note.line} has ${note.reason}, which the fast reader leaves to it`);
          },
        }
      : {}),
  });
  if (log) {
    const files = loaded.ok ? loaded.value.files.length : undefined;
    const unchanged = loaded.ok ? (loaded.value.unchanged?.length ?? 0) : 0;
    const others = caches ? 'the others by the fast reader or from the watch cache' : 'the others by the fast reader';
    const unread = unchanged > 0 ? `, ${unchanged} unchanged since the last apply (their bytes, member lists and settings are the ones the snapshot records: not parsed)` : '';
    log(`group files ${files === undefined ? '' : `(${files}) `}read and checked in ${Math.round(performance.now() - started)} ms; ${full} read by the full YAML parser${unread}, ${others}`);
  }
  if (!loaded.ok) throw new InvalidInputError(loaded.issues, 'the group files are invalid');
  return loaded.value;
}

/**
 * Validates the group files, reads the snapshot (through `fs`, the snapshot's file system), and
 * plans; refuses (UnsafePlanError) a snapshot of another target. Sends nothing, writes nothing.
 * Group files the snapshot's sources prove unchanged are not read, unless `sources` is false.
 */
export async function planWorkspace(ws: Workspace, fs: FileSystem, caches?: PlanCaches, options: { readonly sources?: boolean } = {}): Promise<WorkspacePlan> {
  const statePath = resolveIn(ws.cwd, ws.statePath);
  // A snapshot whose groups record their sources lets unchanged group files go unread (not with
  // the watch caches, which keep what they read; not when the caller does not trust the snapshot).
  const found = caches || options.sources === false ? undefined : await readSources(fs, statePath);
  const sections = found?.sections;
  const unchanged = sections && unchangedGroups(sections, sourceContext(ws));
  const groups = await validateGroups(ws, { ...(caches ? { caches } : {}), ...(unchanged ? { unchanged: unchanged.lookup } : {}) });
  let started = performance.now();
  const read =
    unchanged?.snapshot() ??
    (caches ? await caches.snapshot.read(fs, statePath, ws.statePath) : found ? await readSnapshotOf(fs, statePath, ws.statePath, found.bytes) : await readSnapshot(fs, statePath, ws.statePath));
  const { snapshot, digest } = read;
  ws.log?.(`snapshot ${ws.statePath} read in ${Math.round(performance.now() - started)} ms${groups.unchanged ? `; the member lines of ${groups.unchanged.length} unchanged groups not parsed` : ''}`);
  checkSnapshotTarget(snapshot, ws.target, ws.statePath, 'plan');
  started = performance.now();
  const plan = buildPlan(groups.state, snapshot.applied, caches ? { memo: caches.diff, batchMemo: caches.batches } : {});
  ws.log?.(`planned ${plan.changes.length} changes in ${plan.summary.requests} requests in ${Math.round(performance.now() - started)} ms`);
  return { plan, desired: groups, snapshot, snapshotDigest: digest };
}

/**
 * The snapshot's sections, read before the group files to find their sources, and its bytes for the
 * usual reader; undefined when it has no source to use. A snapshot without sources is read again
 * after the group files rather than held in memory while they are read (about 0.4 s at a million
 * memberships, until the next apply records sources).
 */
async function readSources(fs: FileSystem, statePath: string): Promise<{ sections: SnapshotSections; bytes: Uint8Array } | undefined> {
  const read = await readSnapshotBytes(fs, statePath);
  const sections = read?.bytes && sectionsOf(read.bytes);
  return sections && read?.bytes ? { sections, bytes: read.bytes } : undefined;
}

/** Counts for a validation report. */
export function describeDesired(desired: DesiredGroups): { files: number; groups: number; memberships: number } {
  return { files: desired.files.length, groups: desired.state.size, memberships: countMemberships(desired.state) };
}
