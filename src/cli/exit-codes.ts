import { GroupopsError, type ErrorCode } from '../errors/index.js';

/** Exit statuses (product.md): 0 ok, 1 error, 2 plan has changes (with --detailed-exitcode), 3 refused by a safety limit. */
export const EXIT = { ok: 0, error: 1, changes: 2, unsafe: 3 } as const;

/**
 * The exit status for an error: the single place where errors become statuses. Every refusal of
 * product.md "Safety" is an UnsafePlanError (3), including a snapshot that changed between plan and
 * send and a lock held by another apply: both are found before anything is sent. STATE_CONFLICT stays
 * an error (1): it is raised after sending, when a snapshot commit finds that its branch moved.
 * FILE_SYSTEM (a full disk, a read-only or forbidden state file) is an error (1): the apply stopped,
 * and its message says what was recorded.
 */
export function exitCodeFor(err: unknown): number {
  return err instanceof GroupopsError ? EXIT_FOR_CODE[err.code] : EXIT.error;
}

/** Every error code's status, so that a new code cannot go without one. */
const EXIT_FOR_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: EXIT.error,
  API_ERROR: EXIT.error,
  UNSAFE_PLAN: EXIT.unsafe,
  STATE_CONFLICT: EXIT.error,
  CONFIG_ERROR: EXIT.error,
  FILE_SYSTEM: EXIT.error,
  INTERNAL: EXIT.error,
  NOT_APPROVED: EXIT.error,
};

/**
 * The exit status of a reported apply (the GitHub apply step's): 3 refused by a safety limit, 0
 * applied or nothing to do and the snapshot committed (or unchanged), 1 anything else.
 */
export function exitCodeForReport(report: { readonly status: string; readonly snapshotCommit?: object }): number {
  if (report.status === 'refused') return EXIT.unsafe;
  if (report.snapshotCommit && 'error' in report.snapshotCommit) return EXIT.error;
  return report.status === 'applied' || report.status === 'unchanged' ? EXIT.ok : EXIT.error;
}
