/**
 * Targets: the tenants (API base URLs with their tokens) a repository's snapshots describe. A
 * snapshot records the target it belongs to, so that a plan or an apply against another tenant is
 * refused instead of comparing that tenant with memberships it never held.
 */

/** The name of the one target a config without `targets:` has. */
export const IMPLICIT_TARGET = 'default';

/** A target as a snapshot records it: never its token, and its base URL reduced by targetOrigin. */
export interface TargetRecord {
  readonly name: string;
  /** scheme://host[:port] only. */
  readonly baseUrl: string;
}

/**
 * The scheme, host and port of an http(s) URL, lower-cased and without a default port; undefined
 * for anything else. A path, credentials, a query or a fragment may carry a token (a gateway that
 * takes it in the path), so they never reach the snapshot; targets that differ only there are told
 * apart by their names (and their own snapshots).
 */
export function targetOrigin(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
}

/** Which target a snapshot belongs to, and how that is known. */
export interface SnapshotTarget {
  /** Absent when only the base URL is known: a snapshot of the previous release, read from its lastApply.endpoint. */
  readonly name?: string;
  readonly baseUrl: string;
  /** recorded: the snapshot's `target`; endpoint: inferred from `lastApply.endpoint` (no target recorded). */
  readonly from: 'recorded' | 'endpoint';
}

/** What a snapshot says about its target: the fields readTarget looks at. */
export interface TargetEvidence {
  readonly target?: TargetRecord;
  readonly lastApply: { readonly endpoint: string } | null;
}

/**
 * The target a snapshot belongs to: the one it records, else (a snapshot written before targets
 * were recorded) the origin of the endpoint its last apply sent to; undefined when neither says
 * (no apply yet, or an endpoint that is not an http(s) URL).
 */
export function snapshotTarget(snapshot: TargetEvidence): SnapshotTarget | undefined {
  if (snapshot.target) return { name: snapshot.target.name, baseUrl: snapshot.target.baseUrl, from: 'recorded' };
  const origin = snapshot.lastApply ? targetOrigin(snapshot.lastApply.endpoint) : undefined;
  return origin === undefined ? undefined : { baseUrl: origin, from: 'endpoint' };
}

/**
 * The snapshot's target when it is not the selected one (name or base URL differ), else undefined.
 * A snapshot that does not say which target it belongs to matches any.
 */
export function targetMismatch(snapshot: TargetEvidence, selected: TargetRecord): SnapshotTarget | undefined {
  const recorded = snapshotTarget(snapshot);
  if (!recorded) return undefined;
  const sameName = recorded.name === undefined || recorded.name === selected.name;
  return sameName && recorded.baseUrl === selected.baseUrl ? undefined : recorded;
}

/** "production" (https://integrate.rabbitpre.com), or the URL alone when the name is unknown. */
export function describeTarget(target: { readonly name?: string; readonly baseUrl: string }): string {
  return target.name === undefined ? target.baseUrl : `"${target.name}" (${target.baseUrl})`;
}
