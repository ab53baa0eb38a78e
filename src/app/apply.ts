import { randomUUID } from 'node:crypto';
import type { PlannedBatch } from '../core/batches.js';
import { countMemberships, type Op } from '../core/model.js';
import { buildPlan, isEmptyPlan, type Plan } from '../core/plan.js';
import { checkSafety } from '../core/safety.js';
import { InternalError, UnsafePlanError } from '../errors/index.js';
import { AppliedStateBuilder, lastApplyOf, recordedRequests } from '../state/journal-fold.js';
import { pendingJournalWarning, snapshotDigest, stateFingerprint, type SnapshotRead } from '../state/journal-read.js';
import { removeJournal, JournalWriter } from '../state/journal-writer.js';
import { journalPath, type JournalHeader, type JournalRecord } from '../state/journal.js';
import { acquireStateLock } from '../state/lock.js';
import type { Snapshot } from '../state/snapshot-format.js';
import { readSnapshot, writeSnapshot } from '../state/snapshot-store.js';
import { sendBatches } from './apply-send.js';
import { validateGroups } from './plan-workspace.js';
import type { BatchReceipt, MembershipApi } from './ports.js';
import { resolveIn, type Workspace } from './workspace.js';

/** An acknowledged request of this apply. */
export interface AppliedRequest {
  /** Position in the plan. */
  readonly index: number;
  readonly op: Op;
  readonly items: number;
  readonly memberships: number;
  /** Exact decimal string. */
  readonly batchId: string;
}

/** What the command line shows while an apply runs. */
export interface ApplyProgress {
  planned?(plan: Plan): void;
  sending?(plan: Plan, concurrency: number): void;
  acknowledged?(event: { readonly request: AppliedRequest; readonly done: number; readonly total: number }): void;
  warn?(message: string): void;
}

/** The ports an apply runs against: the API, the clock, git and progress output. */
export interface ApplyDeps {
  readonly api: MembershipApi;
  /** Requests in flight within one operation. */
  readonly concurrency: number;
  readonly clock: () => Date;
  /** The commit of the desired state, or null. */
  readonly gitCommit: (cwd: string) => Promise<string | null>;
  readonly toolVersion: string;
  readonly progress?: ApplyProgress;
  /** Aborting stops new requests; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  readonly newApplyId?: () => string;
}

export interface ApplyOptions {
  readonly allowMassDelete?: boolean;
  /** `--max-deletes N`: replaces the config's percentage and count limits. */
  readonly maxDeletes?: number;
  /** `--expect-plan SHA256`. */
  readonly expectPlan?: string;
}

export interface ApplyOutcome {
  /** applied: every request acknowledged; unchanged: nothing to send; failed/interrupted: stopped early. */
  readonly status: 'applied' | 'unchanged' | 'failed' | 'interrupted';
  readonly plan: Plan;
  /** This apply's acknowledged requests, in plan order. */
  readonly requests: readonly AppliedRequest[];
  /** True when the snapshot file was (re)written. */
  readonly snapshotWritten: boolean;
  /** Memberships the snapshot records after the apply. */
  readonly memberships: number;
  /** Requests of an earlier, interrupted apply that were folded in from its journal. */
  readonly recovered: number;
  /** Why it stopped (status failed): an ApiError, or an error recording an acknowledgement. */
  readonly failure?: unknown;
}

/**
 * `groupops apply`: validates, plans and checks safety under the snapshot's lock, then sends every
 * delete and then every add. Each acknowledged request is journaled durably the moment its answer
 * arrives; at the end (also after a failure) the journal is folded into the canonical snapshot,
 * written atomically, and removed. So after a failure or a kill at any point, the snapshot (with
 * its journal) records exactly the acknowledged requests, and the next apply sends what is left.
 * A failed request does not throw: the outcome carries it, so callers can still commit the snapshot.
 */
export async function applyWorkspace(ws: Workspace, deps: ApplyDeps, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  const desired = await validateGroups(ws);
  const statePath = resolveIn(ws.cwd, ws.statePath);
  const lock = await acquireStateLock(statePath, ws.statePath, deps.clock());
  try {
    const fingerprint = await stateFingerprint(statePath);
    const read = await readSnapshot(statePath, ws.statePath);
    const warning = pendingJournalWarning(read.journal, ws.statePath);
    if (warning) deps.progress?.warn?.(warning);
    const plan = buildPlan(desired.state, read.snapshot.applied);
    deps.progress?.planned?.(plan);
    const refusal = checkSafety(
      {
        plan,
        appliedMemberships: countMemberships(read.snapshot.applied),
        desired: { dir: ws.groupsDir, folderExists: desired.folderExists, memberships: countMemberships(desired.state) },
        ...(options.expectPlan !== undefined ? { expectPlan: options.expectPlan } : {}),
      },
      {
        ...ws.config.safety,
        allowMassDelete: options.allowMassDelete === true,
        ...(options.maxDeletes !== undefined ? { maxDeletes: options.maxDeletes } : {}),
      },
    );
    if (refusal) throw new UnsafePlanError(refusal.reason, refusal.override);
    if ((await stateFingerprint(statePath)) !== fingerprint) {
      throw new UnsafePlanError(
        `refusing to apply: ${ws.statePath} changed while the plan was being made (another apply or a git command won the race).`,
        'Run groupops plan again, review it, then apply.',
      );
    }
    const base = await recoverJournal(statePath, read);
    if (isEmptyPlan(plan)) {
      return { status: 'unchanged', plan, requests: [], snapshotWritten: base.written, memberships: countMemberships(base.snapshot.applied), recovered: base.recovered };
    }
    return await sendPlan(ws, statePath, plan, base, deps);
  } finally {
    await lock.release();
  }
}

interface Base {
  readonly snapshot: Snapshot;
  readonly text: string | undefined;
  readonly written: boolean;
  readonly recovered: number;
}

/**
 * Makes an interrupted apply's journal part of the snapshot file before a new journal starts, so a
 * journal only ever holds one apply. A stale or empty journal is just removed.
 */
async function recoverJournal(statePath: string, read: SnapshotRead): Promise<Base> {
  const pending = read.journal;
  if (!pending) return { snapshot: read.snapshot, text: read.text, written: false, recovered: 0 };
  const recovered = pending.stale ? 0 : pending.journal.records.length;
  let text = read.text;
  if (recovered > 0) text = await writeSnapshot(statePath, read.snapshot);
  await removeJournal(journalPath(statePath));
  return { snapshot: read.snapshot, text, written: recovered > 0, recovered };
}

async function sendPlan(ws: Workspace, statePath: string, plan: Plan, base: Base, deps: ApplyDeps): Promise<ApplyOutcome> {
  const header: JournalHeader = {
    journal: 1,
    applyId: (deps.newApplyId ?? randomUUID)(),
    base: snapshotDigest(base.text),
    commit: await deps.gitCommit(ws.cwd),
    endpoint: deps.api.endpoint,
    toolVersion: deps.toolVersion,
    started: deps.clock().toISOString(),
  };
  const journal = await JournalWriter.create(journalPath(statePath), header);
  const state = new AppliedStateBuilder(base.snapshot.applied);
  const records: JournalRecord[] = [];
  const requests: AppliedRequest[] = [];
  const onAck = async (index: number, batch: PlannedBatch, receipt: BatchReceipt): Promise<void> => {
    const batchId = receipt.batchId;
    if (typeof batchId !== 'string' || !/^[0-9]+$/.test(batchId)) {
      throw new InternalError(`the API adapter returned a batch ID that is not an exact decimal string for request ${index + 1}`);
    }
    await journal.append(index, batch, batchId);
    const record: JournalRecord = { index, op: batch.op, batchId, items: batch.items.map((i) => ({ member: i.member, category: i.category, ...(i.department ? { department: i.department } : {}), groups: i.groups })) };
    records.push(record);
    state.fold(record.op, record.items);
    const request: AppliedRequest = { index, op: batch.op, items: batch.items.length, memberships: batch.items.reduce((n, i) => n + i.groups.length, 0), batchId };
    requests.push(request);
    deps.progress?.acknowledged?.({ request, done: requests.length, total: plan.batches.length });
  };
  deps.progress?.sending?.(plan, deps.concurrency);
  let sent: Awaited<ReturnType<typeof sendBatches>>;
  try {
    sent = await sendBatches(plan.batches, { api: deps.api, concurrency: deps.concurrency, onAck, ...(deps.signal ? { signal: deps.signal } : {}) });
  } finally {
    await journal.close();
  }
  const complete = sent.failure === undefined && !sent.interrupted;
  const status = complete ? 'applied' : sent.failure !== undefined ? 'failed' : 'interrupted';
  const ordered = [...requests].sort((a, b) => a.index - b.index);
  if (records.length === 0) {
    // Nothing acknowledged: the snapshot stays byte for byte as it was.
    await removeJournal(journalPath(statePath));
    return { status, plan, requests: ordered, snapshotWritten: base.written, memberships: countMemberships(base.snapshot.applied), recovered: base.recovered, ...(sent.failure !== undefined ? { failure: sent.failure } : {}) };
  }
  const snapshot: Snapshot = {
    applied: state.state(),
    lastApply: lastApplyOf(header, base.snapshot.lastApply, recordedRequests(records), deps.clock().toISOString(), complete),
  };
  // The rename makes the snapshot hold the journal; a kill before the delete leaves a stale
  // journal that readers recognise by its applyId and ignore.
  await writeSnapshot(statePath, snapshot);
  await removeJournal(journalPath(statePath));
  return {
    status,
    plan,
    requests: ordered,
    snapshotWritten: true,
    memberships: countMemberships(snapshot.applied),
    recovered: base.recovered,
    ...(sent.failure !== undefined ? { failure: sent.failure } : {}),
  };
}
