import type { Hash } from 'node:crypto';
import { sourceHash, type GroupInputs, type GroupSource } from '../core/group-source.js';
import { identitiesJson } from '../core/json-text.js';
import { canonicalGroup, compareStrings, type GroupMembers, type GroupRef, type Member, type MembershipState } from '../core/model.js';
import type { RecordedRequest } from '../core/recorded-request.js';
import type { TargetRecord } from '../core/target.js';

export type { RecordedRequest } from '../core/recorded-request.js';

export interface LastApply {
  /** The git commit of the desired state, when applied from a git work tree. */
  readonly commit: string | null;
  readonly time: string;
  readonly toolVersion: string;
  readonly endpoint: string;
  /** False when the apply stopped before every planned request was acknowledged. */
  readonly complete: boolean;
  /** The apply's journal id: a leftover journal with this id is already folded in (stale). */
  readonly applyId?: string;
  /**
   * Set when `groupops adopt` recorded memberships the platform already held, sending nothing (no
   * requests, no batch IDs): from the group files, or from an export of the platform's memberships.
   */
  readonly adopted?: AdoptedFrom;
  readonly requests: readonly RecordedRequest[];
}

/** Where `groupops adopt` took the memberships it recorded from. */
export type AdoptedFrom = 'groups' | 'export';

/** The applied state and how it got there. */
export interface Snapshot {
  /** The target (tenant) the memberships are on; absent in a snapshot written before targets were recorded. */
  readonly target?: TargetRecord;
  readonly applied: MembershipState;
  readonly lastApply: LastApply | null;
  /**
   * By group key, each group's `source` (see core/group-source.ts): as read from the snapshot
   * (written back as it is: a digest that no longer matches the group's lines is only never used),
   * or the inputs of a group an apply or adopt leaves exactly as its files declare (its digest is
   * taken over the member lines as they are written).
   */
  readonly sources?: ReadonlyMap<string, GroupSource | GroupInputs>;
}

export const SNAPSHOT_SCHEMA_VERSION = 1;

/**
 * Renders a snapshot canonically: groups and members sorted by key, one membership per line, so a
 * snapshot commit's diff is proportional to the change, not to the tenant. Linear in the memberships.
 */
export function renderSnapshot(snapshot: Snapshot): string {
  return [...renderSnapshotChunks(snapshot)].join('');
}

/** Pieces of the snapshot's text are handed out at about this many characters. */
const CHUNK = 1 << 20;

/**
 * renderSnapshot's text in pieces of about a million characters, so that a snapshot of a million
 * memberships is written out without its whole text existing at once.
 */
export function* renderSnapshotChunks(snapshot: Snapshot): Generator<string> {
  const target = snapshot.target ? `  "target": ${JSON.stringify({ name: snapshot.target.name, baseUrl: snapshot.target.baseUrl })},\n` : '';
  let out = `{\n  "schemaVersion": ${SNAPSHOT_SCHEMA_VERSION},\n${target}${lastApplyLines(snapshot.lastApply)}`;
  const groups = sortedGroups(snapshot.applied);
  if (groups.length === 0) out += '  "groups": []\n';
  else {
    out += '  "groups": [\n';
    for (let gi = 0; gi < groups.length; gi++) {
      const [gk, g] = groups[gi]!;
      const recorded = snapshot.sources?.get(gk);
      const inputs = recorded && 'inputs' in recorded ? recorded : undefined;
      // A new source's digest covers the group's first line and its member lines exactly as written (see core/group-source.ts).
      const hash = inputs && sourceHash(inputs.inputs);
      for (const part of groupLineParts(g)) {
        hash?.update(part, 'utf8');
        out += part;
        if (out.length >= CHUNK) {
          yield out;
          out = '';
        }
      }
      const digest = hash ? hash.digest('hex') : recorded && 'digest' in recorded ? recorded.digest : undefined;
      const source = recorded && digest !== undefined ? `,"source":${JSON.stringify({ files: recorded.files, digest })}` : '';
      out += `    ]${source}}${gi < groups.length - 1 ? ',\n' : '\n'}`;
    }
    out += '  ]\n';
  }
  yield `${out}}\n`;
}

/** A group's first line, with its line feed. */
export function groupLine(group: GroupRef): string {
  return `    {"group":${JSON.stringify(storedGroup(group))},"members":[\n`;
}

/** A member's line, with its line feed (and a comma before it unless it is the group's last). */
export function memberLine(member: Member, last: boolean): string {
  return `      {"identities":${identitiesJson(member.identities)}}${last ? '\n' : ',\n'}`;
}

/** Feeds a hash a group's first line and member lines as renderSnapshot writes them (what a source's digest covers). */
export function feedGroupLines(hash: Hash, group: GroupMembers): void {
  for (const part of groupLineParts(group)) hash.update(part, 'utf8');
}

/** A group's lines are handed out in parts of about this many characters. */
const PART = 1 << 16;

/**
 * A group's first line and its member lines (sorted by key), in parts of about PART characters:
 * each part is hashed (for a source) and appended once, never sliced out of the chunk again.
 */
function* groupLineParts(group: GroupMembers): Generator<string> {
  let part = groupLine(group.group);
  // The default sort compares UTF-16 code units, as compareStrings does, and is the fastest.
  const keys = [...group.members.keys()].sort();
  for (let mi = 0; mi < keys.length; mi++) {
    part += memberLine(group.members.get(keys[mi]!)!, mi === keys.length - 1);
    if (part.length >= PART) {
      yield part;
      part = '';
    }
  }
  yield part;
}

/** The lastApply line (and its request lines), each ending with a line feed. */
function lastApplyLines(la: LastApply | null): string {
  if (!la) return '  "lastApply": null,\n';
  // The fields that change on every apply share one line, so the diff of a small apply is a few
  // lines: this one, its requests, and the memberships it changed.
  const head = {
    commit: la.commit,
    time: la.time,
    toolVersion: la.toolVersion,
    endpoint: la.endpoint,
    complete: la.complete,
    ...(la.applyId !== undefined ? { applyId: la.applyId } : {}),
    ...(la.adopted !== undefined ? { adopted: la.adopted } : {}),
  };
  const fields = JSON.stringify(head).slice(0, -1);
  if (la.requests.length === 0) return `  "lastApply": ${fields},"requests":[]},\n`;
  const lines = [`  "lastApply": ${fields},"requests":[`];
  la.requests.forEach((r, i) => {
    const request = {
      op: r.op,
      items: r.items,
      ...(r.batchId !== undefined ? { batchId: r.batchId } : {}),
      ...(r.endpoint !== undefined ? { endpoint: r.endpoint } : {}),
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.notApplied !== undefined ? { notApplied: r.notApplied } : {}),
    };
    lines.push(`    ${JSON.stringify(request)}${i < la.requests.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]},');
  return `${lines.join('\n')}\n`;
}

function sortedGroups(state: MembershipState): [string, GroupMembers][] {
  return [...state.entries()].filter(([, g]) => g.members.size > 0).sort((a, b) => compareStrings(a[0], b[0]));
}

/** A group as the snapshot stores it: a customer group has no category or department, only its kind. */
export function storedGroup(group: GroupRef): GroupRef | { name: string; kind: 'customer' } {
  return group.kind === 'customer' ? { name: group.name, kind: 'customer' } : canonicalGroup(group);
}
