/** The sandbox's own view of the platform. It shares no types with src/api on purpose: a fake that
 * reused the client's wire types would agree with the client's mistakes. */

/** One identity of a person on the fake platform. */
export interface SandboxIdentity {
  readonly type: string;
  readonly value: string;
  readonly platform?: string;
  readonly appid?: string;
  readonly isWeChatEcosystem?: boolean;
}

export type DepartmentKey = 'wxDeptId' | 'thirdDeptId' | 'deptId';

/** A group as the platform addresses it: (categoryType, department, name). deptId is its exact digits. */
export interface SandboxGroup {
  readonly name: string;
  readonly categoryType: '1' | '2';
  readonly department?: { readonly field: DepartmentKey; readonly value: string };
}

export interface SandboxPerson {
  /** Assigned by the sandbox, from 1, in order of creation. */
  readonly id: number;
  readonly identities: readonly SandboxIdentity[];
}

/** One membership the fake platform holds. */
export interface SandboxMembership {
  readonly group: SandboxGroup;
  readonly person: SandboxPerson;
}

/** The faults the sandbox can inject, each named for what the client sees. */
export type FaultKind =
  | 'http500' // HTTP 500 with an HTML page, nothing applied
  | 'http503' // HTTP 503 with an HTML page, nothing applied
  | 'http429' // HTTP 429 with Retry-After, nothing applied
  | 'dropBeforeApply' // the connection is destroyed without applying or answering
  | 'dropAfterApply' // the request is applied, then the connection is destroyed without an answer
  | 'malformed' // the request is applied, then answered HTTP 200 with truncated JSON
  | 'slow' // the request is applied, the answer is sent after `slowMs`
  | 'systemBusy' // HTTP 200 with code "200" and errorCode SYSTEM_BUSY, nothing applied (a client retries it)
  | 'systemError'; // HTTP 200 with code "200", errorCode SYSTEM_ERROR and a batch ID in data, nothing applied (not an acknowledgement)

export const FAULT_KINDS: readonly FaultKind[] = ['http500', 'http503', 'http429', 'dropBeforeApply', 'dropAfterApply', 'malformed', 'slow', 'systemBusy', 'systemError'];

/**
 * Random kinds used when `kinds` is not given: all but `slow` (it stalls for long), `systemBusy` and
 * `systemError` (answers a client cannot count on retries to get past), which must be asked for.
 */
export const DEFAULT_RANDOM_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((k) => k !== 'slow' && k !== 'systemBusy' && k !== 'systemError');

export interface FaultOptions {
  /** Chance in [0, 1] that a request to an API endpoint gets a random fault. Default 0. */
  readonly rate?: number;
  /** The kinds random faults are picked from, evenly. Default: every kind but `slow`. */
  readonly kinds?: readonly FaultKind[];
  /** Consumed one per API request before any random fault: `ok` means no fault for that request. */
  readonly script?: readonly (FaultKind | 'ok')[];
  /** The Retry-After of `http429`, in seconds (fractions allowed for tests). Default 1. */
  readonly retryAfterSeconds?: number;
  /** How late a `slow` answer comes, in ms; longer than the client's timeout by default. Default 35000. */
  readonly slowMs?: number;
  /**
   * Customer-group endpoint: rows holding one of these identity values fail with the given reason
   * (reported in errorData; nothing of them is applied). E.g. { "13900000009": "客户不存在" }.
   */
  readonly failRows?: Readonly<Record<string, string>>;
  /** Customer-group endpoint: the chance in [0, 1] that a row fails at random (seeded). Default 0. */
  readonly rowFailureRate?: number;
  /**
   * Customer-group endpoint: consumed one per accepted request. ok: rows are applied (or fail as
   * set above), status 1 or 2; inProgress: the rows are applied but the answer says status 0;
   * failed: nothing is applied and the answer says status -1.
   */
  readonly customerResults?: readonly CustomerResultKind[];
}

/** How the customer-group endpoint answers a request (see FaultOptions.customerResults). */
export type CustomerResultKind = 'ok' | 'inProgress' | 'failed';

export const CUSTOMER_RESULT_KINDS: readonly CustomerResultKind[] = ['ok', 'inProgress', 'failed'];

/** One customer-group membership the fake platform holds (kept apart from user groups, as on the platform). */
export interface SandboxCustomerMembership {
  readonly group: string;
  readonly customer: SandboxPerson;
}

/** What happened to one request, as the inspection API reports it. */
export type SandboxVerdict = 'accepted' | 'rejected' | 'unauthorized' | 'not-found' | 'method-not-allowed' | 'unsupported-media-type' | 'too-large' | 'fault';

/** One request the sandbox saw. The X-Token value is never kept: `token` says how it compared. */
export interface SandboxRequestLog {
  /** From 1, in order of arrival. */
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** Request headers, lower-cased; x-token (and authorization) replaced by "[redacted]". */
  readonly headers: Readonly<Record<string, string>>;
  readonly token: 'valid' | 'invalid' | 'missing';
  readonly bodyText: string;
  /** The parsed body (numbers beyond 2^53 as LosslessNumber), or undefined when it is not JSON. */
  readonly body: unknown;
  readonly verdict: SandboxVerdict;
  /** The HTTP status sent, or 0 when the connection was dropped. */
  readonly status: number;
  readonly code?: string;
  readonly errorCode?: string;
  readonly msg?: string;
  readonly fault?: FaultKind;
  /** Whether the request changed the platform's state. */
  readonly applied: boolean;
  readonly batchId?: string;
  /** What an accepted request did, when a batch ID does not say it (the customer endpoint's result, e.g. "status 2: 1 of 3 rows failed"). */
  readonly note?: string;
  /** Accepted oddities worth a look (e.g. `isMatching`, which v2 does not list). */
  readonly warnings: readonly string[];
}
