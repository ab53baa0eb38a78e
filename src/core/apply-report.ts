import { ApiError, GroupopsError, InvalidInputError, NotApprovedError, UnsafePlanError, type SourceIssue } from '../errors/index.js';
import type { AnsweredRequest } from './not-applied.js';
import type { Plan } from './plan.js';

/**
 * How an apply ended: applied (every request acknowledged in full), unchanged (nothing to send),
 * partial (every request answered, some rows not applied or not confirmed), failed or interrupted
 * (stopped early), refused (a safety limit, nothing sent), cancelled (not approved: the answer was not
 * `yes`, or no terminal and neither --auto-approve nor CI; nothing sent), invalid (the input could not
 * be read or checked, nothing sent).
 */
export type ApplyStatus = 'applied' | 'unchanged' | 'partial' | 'failed' | 'interrupted' | 'refused' | 'cancelled' | 'invalid';

/** Why an apply stopped or was refused, as every output says it. */
export interface ApplyFailure {
  /** The GroupopsError code (INTERNAL for a bug). */
  readonly code: string;
  /** The whole message, free of secrets; it may quote identity values (see `issues`). */
  readonly message: string;
  /** Invalid input: what was invalid ("the group files are invalid", "the snapshot cannot be read"). */
  readonly summary?: string;
  /** Invalid input: every issue, so that a renderer can mask the values they quote. */
  readonly issues?: readonly SourceIssue[];
  /** A refusal: how to proceed on purpose. */
  readonly override?: string;
  /** An API error: whether trying again may succeed (false for a 401, 403 or a rejected request, which come back the same). */
  readonly retryable?: boolean;
}

/** The snapshot commit a GitHub apply made, or why it could not. */
export type SnapshotCommitOutcome = { readonly sha: string; readonly movedTo?: string; readonly groupsChanged?: boolean } | { readonly error: string };

/**
 * One value per apply: every output (the terminal, `--format markdown|json`, the job summary, the
 * merged PR's comment, the snapshot commit message) is rendered from it by core/render/apply-report.ts.
 */
export interface ApplyReport {
  readonly status: ApplyStatus;
  /** Absent when the apply stopped before a plan was made (invalid files, a missing token). */
  readonly plan?: Plan;
  /** The requests this apply sent and got answered, in plan order. */
  readonly requests: readonly AnsweredRequest[];
  /** Requests of an earlier, interrupted apply folded in from its journal. */
  readonly recovered: number;
  /**
   * The snapshot as the apply left it; absent when it stopped before reading it. `exists` false: there
   * is no snapshot file (a first apply that got nothing acknowledged), which is not "unchanged".
   */
  readonly snapshot?: { readonly path: string; readonly written: boolean; readonly memberships: number; readonly exists?: boolean };
  readonly failure?: ApplyFailure;
  /** Set by the GitHub apply step once it tried to commit the snapshot. */
  readonly snapshotCommit?: SnapshotCommitOutcome;
}

/** Where an apply ran: passed to the renderers, never spliced into rendered text. */
export interface ApplyProvenance {
  /** The commit whose group files were applied. */
  readonly appliedCommit?: string;
  readonly branch?: string;
  /** The workflow run's page. */
  readonly runUrl?: string;
}

/** What the apply use case returns (the app's ApplyOutcome extends it). */
export interface ApplyOutcomeLike {
  /**
   * applied: every request acknowledged in full; unchanged: nothing to send; partial: every request
   * answered, but some rows were not applied or not confirmed (they stay pending for the next apply);
   * failed/interrupted: stopped early.
   */
  readonly status: 'applied' | 'unchanged' | 'partial' | 'failed' | 'interrupted';
  readonly plan: Plan;
  /** The answered requests, in plan order. */
  readonly requests: readonly AnsweredRequest[];
  /** True when the snapshot file was (re)written. */
  readonly snapshotWritten: boolean;
  /** Memberships the snapshot records after the apply. */
  readonly memberships: number;
  /** Requests of an earlier, interrupted apply that were folded in from its journal. */
  readonly recovered: number;
  /** Why it stopped (status failed): an ApiError, or an error recording an acknowledgement. */
  readonly failure?: unknown;
  /** False when there is no snapshot file after the apply (a first apply that got nothing acknowledged). */
  readonly snapshotExists?: boolean;
}

/**
 * The report of an apply from what it returned, or from the error that stopped it before it could
 * return (a refusal, invalid input, a missing token). `plan` is the plan it had made by then, if any.
 */
export function buildApplyReport(input: { readonly snapshotPath: string; readonly outcome?: ApplyOutcomeLike; readonly error?: unknown; readonly plan?: Plan }): ApplyReport {
  const { outcome, error } = input;
  if (outcome) {
    const failure = outcome.failure ?? error;
    return {
      status: outcome.status,
      plan: outcome.plan,
      requests: outcome.requests,
      recovered: outcome.recovered,
      snapshot: { path: input.snapshotPath, written: outcome.snapshotWritten, memberships: outcome.memberships, ...(outcome.snapshotExists === false ? { exists: false } : {}) },
      ...(failure !== undefined ? { failure: failureOf(failure) } : {}),
    };
  }
  return {
    status: error instanceof UnsafePlanError ? 'refused' : error instanceof NotApprovedError ? 'cancelled' : error instanceof InvalidInputError ? 'invalid' : 'failed',
    ...(input.plan ? { plan: input.plan } : {}),
    requests: [],
    recovered: 0,
    failure: failureOf(error),
  };
}

/** An error as a report states it; anything but a GroupopsError is a bug and says so. */
export function failureOf(error: unknown): ApplyFailure {
  if (error instanceof InvalidInputError) return { code: error.code, message: error.message, summary: error.summary, issues: error.issues };
  if (error instanceof UnsafePlanError) return { code: error.code, message: error.message, override: error.override };
  if (error instanceof ApiError) return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof GroupopsError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: `internal error (this is a bug in groupops): ${error instanceof Error ? error.message : String(error)}` };
}

/** True when everything the plan asked for is on the platform and recorded. */
export function isComplete(report: ApplyReport): boolean {
  return report.status === 'applied' || report.status === 'unchanged';
}

/** The report with the snapshot commit's outcome. */
export function withSnapshotCommit(report: ApplyReport, commit: SnapshotCommitOutcome): ApplyReport {
  return { ...report, snapshotCommit: commit };
}
