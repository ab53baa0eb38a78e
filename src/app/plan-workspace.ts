import type { BatchMemo } from '../core/batches.js';
import type { DiffMemo } from '../core/diff.js';
import { buildPlan, type Plan } from '../core/plan.js';
import { countMemberships } from '../core/model.js';
import { InvalidInputError } from '../errors/index.js';
import type { GroupFileCache } from '../load/group-cache.js';
import { endpointRulesOf } from '../load/endpoint-config.js';
import type { FullParseNote } from '../load/load-group-file.js';
import { loadGroups, type DesiredGroups } from '../load/load-groups.js';
import type { FileSystem } from '../state/file-system.js';
import type { SnapshotCache } from '../state/snapshot-cache.js';
import type { Snapshot } from '../state/snapshot-format.js';
import { readSnapshot } from '../state/snapshot-store.js';
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

/** Reads and validates the group files; throws InvalidInputError with every issue. */
export async function validateGroups(ws: Workspace, caches?: PlanCaches): Promise<DesiredGroups> {
  const log = ws.log;
  const started = performance.now();
  let full = 0;
  const loaded = await loadGroups(ws.groupsDir, ws.cwd, {
    rules: endpointRulesOf(ws.config),
    identityTypes: ws.config.identityTypes,
    maxFileBytes: ws.config.limits.maxFileBytes,
    ...(caches ? { cache: caches.groups } : {}),
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
    log(
      `group files ${files === undefined ? '' : `(${files}) `}read and checked in ${Math.round(performance.now() - started)} ms; ${full} read by the full YAML parser${caches ? ', the others by the fast reader or from the watch cache' : ', the others by the fast reader'}`,
    );
  }
  if (!loaded.ok) throw new InvalidInputError(loaded.issues, 'the group files are invalid');
  return loaded.value;
}

/**
 * Validates the group files, reads the snapshot (through `fs`, the snapshot's file system), and
 * plans; refuses (UnsafePlanError) a snapshot of another target. Sends nothing, writes nothing.
 */
export async function planWorkspace(ws: Workspace, fs: FileSystem, caches?: PlanCaches): Promise<WorkspacePlan> {
  const groups = await validateGroups(ws, caches);
  const statePath = resolveIn(ws.cwd, ws.statePath);
  let started = performance.now();
  const { snapshot, digest } = caches ? await caches.snapshot.read(fs, statePath, ws.statePath) : await readSnapshot(fs, statePath, ws.statePath);
  ws.log?.(`snapshot ${ws.statePath} read in ${Math.round(performance.now() - started)} ms`);
  checkSnapshotTarget(snapshot, ws.target, ws.statePath, 'plan');
  started = performance.now();
  const plan = buildPlan(groups.state, snapshot.applied, caches ? { memo: caches.diff, batchMemo: caches.batches } : {});
  ws.log?.(`planned ${plan.changes.length} changes in ${plan.summary.requests} requests in ${Math.round(performance.now() - started)} ms`);
  return { plan, desired: groups, snapshot, snapshotDigest: digest };
}

/** Counts for a validation report. */
export function describeDesired(desired: DesiredGroups): { files: number; groups: number; memberships: number } {
  return { files: desired.files.length, groups: desired.state.size, memberships: countMemberships(desired.state) };
}
