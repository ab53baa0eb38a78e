import { explainMembers, type ExplainReport } from '../core/explain.js';
import type { MemberQuery } from '../core/member-query.js';
import type { FileSystem } from '../state/file-system.js';
import { readSnapshot } from '../state/snapshot-store.js';
import { validateGroups } from './plan-workspace.js';
import { resolveIn, type Workspace } from './workspace.js';

/**
 * `groupops explain`: reads the group files (as plan does) and the snapshot with its pending
 * journal, and finds every membership of the members that match the query. Sends and writes nothing.
 */
export async function explainWorkspace(ws: Workspace, fs: FileSystem, query: MemberQuery): Promise<ExplainReport> {
  const statePath = resolveIn(ws.cwd, ws.statePath);
  const [desired, read] = await Promise.all([validateGroups(ws), readSnapshot(fs, statePath, ws.statePath)]);
  const pending = read.journal;
  // A stale journal is already in the snapshot file: its batch IDs are the last apply's.
  const journal =
    pending && !pending.stale && pending.journal.records.length > 0
      ? { path: pending.displayPath, started: pending.journal.header.started, commit: pending.journal.header.commit, records: pending.journal.records }
      : undefined;
  return explainMembers({
    query,
    groups: { dir: ws.groupsDir, exists: desired.folderExists, files: desired.groups },
    applied: read.snapshot.applied,
    snapshot: { path: ws.statePath, exists: read.digest !== null, lastApply: read.snapshot.lastApply },
    ...(journal ? { journal } : {}),
  });
}
