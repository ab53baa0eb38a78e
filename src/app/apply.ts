import { randomUUID } from 'node:crypto';
import type { BatchItem, PlannedBatch } from '../core/batches.js';
import type { GroupInputs, GroupSource } from '../core/group-source.js';
import type { ApplyOutcomeLike } from '../core/apply-report.js';
import { splitAcknowledged, type FailedRow } from '../core/not-applied.js';
import { countMemberships, type Op } from '../core/model.js';
import { plural } from '../core/render/describe.js';
import { buildPlan, changedGroupKeys, isEmptyPlan, type Plan } from '../core/plan.js';
import { checkSafety } from '../core/safety.js';
import { FileSystemError, InternalError, InvalidInputError, NotApprovedError, UnsafePlanError } from '../errors/index.js';
import { groupInputReader, type DesiredGroups } from '../load/load-groups.js';
import type { FileSystem } from '../state/file-system.js';
import { AppliedStateBuilder, lastApplyOf, recordedRequests, type AnsweredRequest } from '../state/journal-fold.js';
import { pendingJournalWarning, stateFingerprint, type SnapshotRead } from '../state/journal-read.js';
import { JournalWriter } from '../state/journal-writer.js';
import { JOURNAL_VERSION, journalPath, type JournalHeader, type RecordMeta } from '../state/journal.js';
import { acquireStateLock, type StateLock } from '../state/lock.js';
import type { Snapshot } from '../state/snapshot-format.js';
import { readSnapshot, writeSnapshot } from '../state/snapshot-store.js';
import { apiFor, sendBatches } from './apply-send.js';
import { contradictedSources, sourceContext, sourcesOf } from './group-sources.js';
import { validateGroups } from './plan-workspace.js';
import type { BatchReceipt, MembershipApi } from './ports.js';
import { checkSnapshotTarget, targetRecord } from './target.js';
import { resolveIn, type Workspace } from './workspace.js';

/** An answered request of this apply. */
export interface AppliedRequest {
  /** Position in the plan. */
  readonly index: number;
  readonly op: Op;
  /** Items sent. */
  readonly items: number;
  /** Memberships sent. */
  readonly memberships: number;
  /** Exact decimal string; absent for the customer-group endpoint, which answers without one. */
  readonly batchId?: string;
  /** Set for a request to the customer-group endpoint. */
  readonly target?: 'customer';
  readonly endpoint: string;
  /**
   * accepted: every item recorded; partial: all but `failed` recorded; unknown: the API confirmed
   * nothing yet (an import in progress), so nothing was recorded.
   */
  readonly status: 'accepted' | 'partial' | 'unknown';
  /** The rows the API reported as not applied (status partial), with the reason. */
  readonly failed: readonly FailedRow[];
  /** The API's message about a partial or unknown result. */
  readonly message?: string;
}

/** What the command line shows while an apply runs. */
export interface ApplyProgress {
  planned?(plan: Plan): void;
  sending?(plan: Plan, concurrency: number): void;
  acknowledged?(event: { readonly request: AppliedRequest; readonly done: number; readonly total: number }): void;
  warn?(message: string): void;
}

/** The ports an apply runs against: the API, the file system of the snapshot, the clock, git and progress output. */
export interface ApplyDeps {
  /** The user-group endpoint (v2 or v1). */
  readonly api: MembershipApi;
  /** Where the snapshot, its journal and its lock are read and written (state/node-file-system.ts). */
  readonly fileSystem: FileSystem;
  /** The customer-group endpoint; needed when the plan has customer-group batches. */
  readonly customerApi?: MembershipApi;
  /** Requests in flight within one operation. */
  readonly concurrency: number;
  readonly clock: () => Date;
  /** The commit of the desired state, or null. */
  readonly gitCommit: (cwd: string) => Promise<string | null>;
  readonly toolVersion: string;
  readonly progress?: ApplyProgress;
  /** Aborting stops new requests; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  /**
   * Asked once a plan with changes has passed the safety checks, before anything is sent or
   * written (terraform's "Do you want to perform these actions?"): false cancels the apply with a
   * NotApprovedError. Absent: approved.
   */
  readonly approve?: (plan: Plan) => Promise<boolean>;
  readonly newApplyId?: () => string;
}

export interface ApplyOptions {
  readonly allowMassDelete?: boolean;
  /** `--max-deletes N`: replaces the config's percentage and count limits. */
  readonly maxDeletes?: number;
  /** `--expect-plan SHA256`. */
  readonly expectPlan?: string;
}

/** What an apply did (the fields and their meaning: ApplyOutcomeLike in core/apply-report.ts, which the reports are built from). */
export interface ApplyOutcome extends ApplyOutcomeLike {
  /** This apply's answered requests, in plan order (partial and unknown results included). */
  readonly requests: readonly AppliedRequest[];
  readonly snapshotExists: boolean;
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
  // Each group's input files are hashed as read: a complete apply records them as the groups' sources.
  let desired: DesiredGroups | undefined = await validateGroups(ws, { hashInputs: true });
  const fs = deps.fileSystem;
  const statePath = resolveIn(ws.cwd, ws.statePath);
  const lock = await explained(NOTHING_SENT, () => acquireStateLock(fs, statePath, ws.statePath, deps.clock()));
  try {
    const { fingerprint, read } = await explained(NOTHING_SENT, async () => ({ fingerprint: await stateFingerprint(fs, statePath), read: await readSnapshot(fs, statePath, ws.statePath) }));
    checkSnapshotTarget(read.snapshot, ws.target, ws.statePath, 'apply');
    const warning = pendingJournalWarning(read.journal, ws.statePath);
    if (warning) deps.progress?.warn?.(warning);
    const plan = buildPlan(desired.state, read.snapshot.applied);
    await refuseUntrueSources(ws, read.snapshot, plan);
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
    // Asked under the lock, so what is approved is what is sent; a pending journal is folded only after.
    if (!isEmptyPlan(plan) && deps.approve && !(await deps.approve(plan))) {
      throw new NotApprovedError('apply cancelled: the plan was not approved, so nothing was sent and nothing written');
    }
    const sources = sourcesOf(ws, desired);
    // The plan holds what sending needs; the loaded files, their members' lines and the member
    // maps are let go here, so they are collected while sending (a third of the memory at 1M).
    desired = undefined;
    if ((await explained(NOTHING_SENT, () => stateFingerprint(fs, statePath))) !== fingerprint) {
      throw new UnsafePlanError(
        `refusing to apply: ${ws.statePath} changed while the plan was being made (another apply or a git command won the race).`,
        'Run groupops plan again, review it, then apply.',
      );
    }
    const base = await recoverJournal(fs, statePath, read, ws);
    if (isEmptyPlan(plan)) {
      return {
        status: 'unchanged',
        plan,
        requests: [],
        snapshotWritten: base.written,
        snapshotExists: base.digest !== null,
        memberships: countMemberships(base.snapshot.applied),
        recovered: base.recovered,
      };
    }
    return await sendPlan(ws, statePath, plan, base, deps, sources);
  } finally {
    await releaseLock(lock, deps);
  }
}

/** What a failure before the first request means. */
const NOTHING_SENT = 'Nothing was sent, and the snapshot is unchanged.';

/**
 * Runs file-system work, saying what its failure means for the apply (a FileSystemError that
 * already says so is left as it is): the adapter knows which call failed, only the apply knows
 * what was sent and recorded by then.
 */
async function explained<T>(consequence: string | (() => string), work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FileSystemError && error.consequence === undefined) throw error.withConsequence(typeof consequence === 'string' ? consequence : consequence());
    throw error;
  }
}

/** Releases the lock; a lock that cannot be removed does not undo the apply: it is a warning (a dead holder's lock is taken over). */
async function releaseLock(lock: StateLock, deps: ApplyDeps): Promise<void> {
  try {
    await lock.release();
  } catch (error) {
    if (!(error instanceof FileSystemError)) throw error;
    deps.progress?.warn?.(`${error.problem}. The apply is not affected; the next apply takes over the lock, since this process has ended by then.`);
  }
}

interface Base {
  readonly snapshot: Snapshot;
  /** snapshotDigest of the snapshot file's text (null: no snapshot file), the new journal's base. */
  readonly digest: string | null;
  readonly written: boolean;
  readonly recovered: number;
}

/**
 * Makes an interrupted apply's journal part of the snapshot file before a new journal starts, so a
 * journal only ever holds one apply: the snapshot is written first, then the journal removed, so
 * its requests are never in neither. A stale or empty journal is just removed.
 */
async function recoverJournal(fs: FileSystem, statePath: string, read: SnapshotRead, ws: Workspace): Promise<Base> {
  const pending = read.journal;
  if (!pending) return { snapshot: read.snapshot, digest: read.digest, written: false, recovered: 0 };
  const recovered = pending.stale ? 0 : pending.journal.records.length;
  let digest = read.digest;
  const displayPath = ws.statePath;
  const kept = `Nothing was sent. ${pending.displayPath} still holds the ${plural(recovered, 'request')} an interrupted apply had acknowledged, so nothing acknowledged was lost: the next groupops apply writes them into ${displayPath}.`;
  // The target was checked before: a snapshot written now records it (one of the previous release gets it here).
  if (recovered > 0) ({ digest } = await explained(kept, () => writeSnapshot(fs, statePath, { ...read.snapshot, target: targetRecord(ws.target) })));
  await explained(recovered > 0 ? `Nothing was sent; ${displayPath} now holds the ${plural(recovered, 'request')} recovered from the journal.` : NOTHING_SENT, () => fs.remove(journalPath(statePath)));
  return { snapshot: read.snapshot, digest, written: recovered > 0, recovered };
}

/**
 * Refuses a snapshot whose recorded source says a group the plan changes is unchanged: a plan
 * trusting it would not have shown the change (see contradictedSources). Sends nothing.
 */
async function refuseUntrueSources(ws: Workspace, snapshot: Snapshot, plan: Plan): Promise<void> {
  if (!snapshot.sources || isEmptyPlan(plan)) return;
  const read = (await groupInputReader(ws.groupsDir, ws.cwd, ws.config.limits.maxFileBytes)) ?? (() => undefined);
  const untrue = contradictedSources(sourceContext(ws), snapshot, plan, read);
  if (untrue.length === 0) return;
  const names = untrue.map((g) => `"${g.name}"`);
  const which = names.length === 1 ? `group ${names[0]}` : `groups ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
  const message =
    `the snapshot records a source for ${which} saying the group files declare exactly the members it holds, but they declare others: ` +
    `the snapshot was edited outside groupops, and groupops plan (which trusts sources) does not show this change. Nothing was sent. ` +
    `Restore ${ws.statePath} from git, or delete the "source" of ${names.length === 1 ? 'that group' : 'those groups'} from it and review groupops plan again.`;
  throw new InvalidInputError([{ file: ws.statePath, line: 1, column: 1, message }], 'the snapshot cannot be trusted');
}

/**
 * The groups' sources once the apply is recorded (core/group-source.ts): the ones the snapshot had
 * (a group whose lines changed no longer matches its digest, so keeping it is harmless and keeps
 * the snapshot's diff to the change), and the new ones of the groups now exactly as their files
 * declare: every group when every planned request was confirmed whole, else those the plan did
 * not change.
 */
function sourcesAfter(base: Snapshot, plan: Plan, fresh: ReadonlyMap<string, GroupInputs>, complete: boolean): Map<string, GroupSource | GroupInputs> {
  const changed = complete ? new Set<string>() : changedGroupKeys(plan);
  const sources = new Map<string, GroupSource | GroupInputs>(base.sources ?? []);
  for (const [key, inputs] of fresh) if (!changed.has(key)) sources.set(key, inputs);
  return sources;
}

async function sendPlan(ws: Workspace, statePath: string, plan: Plan, base: Base, deps: ApplyDeps, sources: ReadonlyMap<string, GroupInputs>): Promise<ApplyOutcome> {
  if (!deps.customerApi && plan.batches.some((b) => b.target === 'customer')) {
    throw new InternalError('the plan has customer-group requests but no customer-group endpoint was given to apply');
  }
  const fs = deps.fileSystem;
  const journalFile = journalPath(statePath);
  const journalShown = journalPath(ws.statePath);
  const header: JournalHeader = {
    journal: JOURNAL_VERSION,
    applyId: (deps.newApplyId ?? randomUUID)(),
    base: base.digest,
    commit: await deps.gitCommit(ws.cwd),
    endpoint: deps.api.endpoint,
    toolVersion: deps.toolVersion,
    started: deps.clock().toISOString(),
  };
  const beforeSending = base.written ? `Nothing was sent; ${ws.statePath} now holds the ${plural(base.recovered, 'request')} recovered from the journal.` : NOTHING_SENT;
  const journal = await explained(beforeSending, () => JournalWriter.create(fs, journalFile, header));
  // Per answered request only its metadata and its confirmed items (the plan's own item objects)
  // are kept, so memory does not grow with the requests sent. The items are folded into the
  // applied state once sending is over: folding while answers arrive would put a map update per
  // membership between each answer and the next request.
  const records: AnsweredRequest[] = [];
  const confirmedItems: { readonly op: Op; readonly items: readonly BatchItem[] }[] = [];
  const requests: AppliedRequest[] = [];
  const onAck = async (index: number, batch: PlannedBatch, receipt: BatchReceipt): Promise<void> => {
    const api = apiFor(batch, deps);
    const { meta, acknowledged, failed } = confirmed(index, batch, receipt, api !== deps.api ? api.endpoint : undefined);
    await explained(
      `Request ${index + 1} was acknowledged by the API but is not recorded: the next groupops apply sends it again (adds and deletes are idempotent). groupops stopped sending; the requests recorded before it are kept.`,
      () => journal.append(index, { ...batch, items: acknowledged }, meta),
    );
    records.push({ index, op: batch.op, confirmed: acknowledged.length, ...meta });
    confirmedItems.push({ op: batch.op, items: acknowledged });
    const request: AppliedRequest = {
      index,
      op: batch.op,
      items: batch.items.length,
      memberships: batch.items.reduce((n, i) => n + i.groups.length, 0),
      ...(meta.batchId !== undefined ? { batchId: meta.batchId } : {}),
      ...(batch.target === 'customer' ? { target: 'customer' as const } : {}),
      endpoint: api.endpoint,
      status: meta.status ?? 'accepted',
      failed,
      ...(meta.status && receipt.message ? { message: receipt.message } : {}),
    };
    requests.push(request);
    deps.progress?.acknowledged?.({ request, done: requests.length, total: plan.batches.length });
  };
  deps.progress?.sending?.(plan, deps.concurrency);
  let sent: Awaited<ReturnType<typeof sendBatches>>;
  try {
    sent = await sendBatches(plan.batches, {
      api: deps.api,
      ...(deps.customerApi ? { customerApi: deps.customerApi } : {}),
      concurrency: deps.concurrency,
      onAck,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } finally {
    // Every record counts only once synced, so a close that fails loses nothing: the failure that
    // stopped the apply, if any, is what gets reported.
    await journal.close().catch((error: unknown) => {
      if (!(error instanceof FileSystemError)) throw error;
    });
  }
  const sentAll = sent.failure === undefined && !sent.interrupted;
  const pending = requests.some((r) => r.status !== 'accepted');
  const complete = sentAll && !pending;
  const status = complete ? 'applied' : sentAll ? 'partial' : sent.failure !== undefined ? 'failed' : 'interrupted';
  const ordered = [...requests].sort((a, b) => a.index - b.index);
  if (records.length === 0) {
    // Nothing acknowledged: the snapshot stays byte for byte as it was.
    await removeJournalOrWarn(fs, journalFile, deps, 'It records nothing; the next apply removes it.');
    return {
      status,
      plan,
      requests: ordered,
      snapshotWritten: base.written,
      snapshotExists: base.digest !== null,
      memberships: countMemberships(base.snapshot.applied),
      recovered: base.recovered,
      ...(sent.failure !== undefined ? { failure: sent.failure } : {}),
    };
  }
  // In the order the answers came: deletes and adds of one apply never touch the same membership,
  // and every delete is recorded before the first add is sent.
  const state = new AppliedStateBuilder(base.snapshot.applied);
  for (const { op, items } of confirmedItems) state.fold(op, items);
  const snapshot: Snapshot = {
    // Checked against the snapshot before planning: recorded on every write, so a snapshot of the
    // previous release (no target) gets its target at its first apply.
    target: targetRecord(ws.target),
    applied: state.state(),
    // complete means every planned request was answered: rows an answer left pending are marked on
    // their request (status, notApplied), and carrying requests over until then would grow the
    // snapshot on every apply while a row keeps failing.
    lastApply: lastApplyOf(header, base.snapshot.lastApply, recordedRequests(records), deps.clock().toISOString(), sentAll),
    sources: sourcesAfter(base.snapshot, plan, sources, complete),
  };
  // The rename makes the snapshot hold the journal; a kill before the delete leaves a stale
  // journal that readers recognise by its applyId and ignore.
  const unrecorded = sent.failure instanceof FileSystemError ? ' A request acknowledged but not recorded is sent again by the next apply.' : '';
  await explained(
    `Nothing acknowledged was lost: the ${plural(records.length, 'acknowledged request')} ${records.length === 1 ? 'is' : 'are'} recorded in ${journalShown} (synced to disk), and the next groupops apply writes them into ${ws.statePath} (groupops plan already counts them as applied).${unrecorded}`,
    () => writeSnapshot(fs, statePath, snapshot),
  );
  await removeJournalOrWarn(fs, journalFile, deps, `${ws.statePath} holds every request it records, and the next apply recognises it as folded (its apply id is in the snapshot) and removes it.`);
  return {
    status,
    plan,
    requests: ordered,
    snapshotWritten: true,
    snapshotExists: true,
    memberships: countMemberships(snapshot.applied),
    recovered: base.recovered,
    ...(sent.failure !== undefined ? { failure: sent.failure } : {}),
  };
}

/**
 * What a receipt lets the snapshot record: only items the API confirmed. Failed rows are left out
 * (the next apply plans them again); an unknown result records nothing but the request itself.
 */
function confirmed(index: number, batch: PlannedBatch, receipt: BatchReceipt, endpoint: string | undefined): { meta: RecordMeta; acknowledged: readonly BatchItem[]; failed: FailedRow[] } {
  const batchId = receipt.batchId;
  if (batchId !== undefined ? !/^[0-9]+$/.test(batchId) : batch.target !== 'customer') {
    throw new InternalError(`the API adapter returned a batch ID that is not an exact decimal string for request ${index + 1}`);
  }
  const base: RecordMeta = { ...(batchId !== undefined ? { batchId } : {}), ...(endpoint !== undefined ? { endpoint } : {}) };
  // Nearly every receipt reports no failure: its items are the batch's, with no copy made.
  const split = receipt.status === 'unknown' ? undefined : receipt.failed?.length ? splitAcknowledged(batch.items, receipt.failed) : { acknowledged: batch.items, failed: [] };
  // A partial result that names no row of the request cannot say what was applied: nothing is recorded.
  if (!split || (receipt.status === 'partial' && split.failed.length === 0)) {
    return { meta: { ...base, status: 'unknown', notApplied: batch.items.length }, acknowledged: [], failed: [] };
  }
  if (split.failed.length === 0) return { meta: base, acknowledged: split.acknowledged, failed: [] };
  return { meta: { ...base, status: 'partial', notApplied: split.failed.length }, acknowledged: split.acknowledged, failed: split.failed };
}

/** Removes the journal once nothing depends on it; failing to is a warning saying why that is harmless. */
async function removeJournalOrWarn(fs: FileSystem, path: string, deps: ApplyDeps, harmless: string): Promise<void> {
  try {
    await fs.remove(path);
  } catch (error) {
    if (!(error instanceof FileSystemError)) throw error;
    deps.progress?.warn?.(`${error.problem}. ${harmless}`);
  }
}
