import { memberMatches, type MemberQuery } from './member-query.js';
import { compareStrings, groupKey, memberKey, memberSignature, type Category, type Department, type GroupRef, type Identity, type Member, type MembershipState, type Op } from './model.js';
import type { RecordedRequest } from './recorded-request.js';

/** A group file as read: where the group is declared and where each member is written. */
export interface ExplainGroupFile {
  readonly file: string;
  readonly group: GroupRef;
  /** The line of the group's `name:`. */
  readonly nameLine: number;
  /** Each member with its line: in the group file, or in the CSV member list `file`. */
  readonly members: readonly { readonly key: string; readonly member: Member; readonly line: number; readonly file?: string }[];
}

/** A request the snapshot's last apply recorded. */
export type ExplainRequest = RecordedRequest;

/** The snapshot's last apply: which commit was applied, when, and its requests with their batch IDs. */
export interface ExplainLastApply {
  readonly commit: string | null;
  readonly time: string;
  readonly endpoint: string;
  readonly complete: boolean;
  readonly requests: readonly ExplainRequest[];
}

/** The journal of an interrupted apply, not folded into the snapshot file yet: its requests hold their items. */
export interface ExplainJournal {
  readonly path: string;
  readonly started: string;
  readonly commit: string | null;
  readonly records: readonly {
    readonly op: Op;
    readonly batchId?: string;
    readonly status?: 'partial' | 'unknown';
    readonly items: readonly { readonly member: Member; readonly category: Category; readonly department?: Department; readonly kind?: 'customer'; readonly groups: readonly string[] }[];
  }[];
}

export interface ExplainInput {
  readonly query: MemberQuery;
  readonly groups: { readonly dir: string; readonly exists: boolean; readonly files: readonly ExplainGroupFile[] };
  /** The applied state: the snapshot with its pending journal folded in. */
  readonly applied: MembershipState;
  readonly snapshot: { readonly path: string; readonly exists: boolean; readonly lastApply: ExplainLastApply | null };
  /** The pending journal, when an interrupted apply left one that is not in the snapshot file yet. */
  readonly journal?: ExplainJournal;
}

/**
 * applied: written and recorded alike; pending-add: written, not recorded; pending-delete: recorded,
 * no longer written; pending-update: written and recorded under the same key with other identities
 * (the next apply re-sends it as an add).
 */
export type MembershipStatus = 'applied' | 'pending-add' | 'pending-delete' | 'pending-update';

/** One group a matched member is in, or will be in, or will leave. */
export interface ExplainedMembership {
  readonly group: GroupRef;
  readonly status: MembershipStatus;
  /** As the group files write it: the identities, and the file and line that put the member there. */
  readonly written?: { readonly identities: readonly Identity[]; readonly file: string; readonly line: number; readonly groupFile: string };
  /** As the snapshot records it. */
  readonly recorded?: { readonly identities: readonly Identity[] };
  /** Where the group is declared; absent: no group file declares it (any more). */
  readonly declaredIn?: { readonly file: string; readonly line: number };
  /** The request of the pending journal that carried this membership, with its batch ID. */
  readonly journal?: { readonly op: Op; readonly batchId?: string; readonly status?: 'partial' | 'unknown' };
}

/** A member (by its key, the first identity) whose identities match the query, and its groups. */
export interface ExplainedMember {
  readonly key: Identity;
  readonly memberships: readonly ExplainedMembership[];
}

/** What `groupops explain` found. */
export interface ExplainReport {
  readonly query: string;
  readonly members: readonly ExplainedMember[];
  readonly groups: { readonly dir: string; readonly exists: boolean };
  readonly snapshot: ExplainInput['snapshot'];
  readonly journal?: { readonly path: string; readonly started: string; readonly commit: string | null; readonly requests: number };
}

interface Row {
  group: GroupRef;
  groupKey: string;
  memberKey: string;
  written?: ExplainedMembership['written'];
  recorded?: ExplainedMembership['recorded'];
  journal?: ExplainedMembership['journal'];
}

const SEP = '\u0000';

/**
 * Every membership of every member with an identity that matches the query, in the group files and
 * in the snapshot, with its status. One pass over each side: linear in the memberships, with no key
 * built for a member that does not match.
 */
export function explainMembers(input: ExplainInput): ExplainReport {
  const { query } = input;
  const files = new Map<string, ExplainGroupFile>();
  const rows = new Map<string, Row>();
  // Built only for a group whose member matched in the snapshot alone (its identities changed).
  const indexes = new Map<ExplainGroupFile, Map<string, ExplainGroupFile['members'][number]>>();
  const membersByKey = (f: ExplainGroupFile): Map<string, ExplainGroupFile['members'][number]> => {
    let index = indexes.get(f);
    if (!index) indexes.set(f, (index = new Map(f.members.map((m) => [m.key, m]))));
    return index;
  };
  const row = (gk: string, mk: string, group: GroupRef): Row => {
    let r = rows.get(gk + SEP + mk);
    if (!r) rows.set(gk + SEP + mk, (r = { group, groupKey: gk, memberKey: mk }));
    return r;
  };
  for (const f of input.groups.files) {
    const gk = groupKey(f.group);
    files.set(gk, f);
    for (const m of f.members) {
      if (memberMatches(m.member.identities, query)) row(gk, m.key, f.group).written = writtenOf(f, m);
    }
  }
  for (const [gk, g] of input.applied) {
    for (const [mk, member] of g.members) {
      if (memberMatches(member.identities, query)) row(gk, mk, g.group).recorded = { identities: member.identities };
    }
  }
  // A side that did not match (the value is only in the new identities, or only in the old) is still shown.
  for (const r of rows.values()) {
    const gk = r.groupKey;
    if (!r.written) {
      const f = files.get(gk);
      const m = f && membersByKey(f).get(r.memberKey);
      if (f && m) r.written = writtenOf(f, m);
    }
    if (!r.recorded) {
      const member = input.applied.get(gk)?.members.get(r.memberKey);
      if (member) r.recorded = { identities: member.identities };
    }
  }
  for (const record of input.journal?.records ?? []) {
    for (const item of record.items) {
      const mk = memberKey(item.member);
      for (const name of item.groups) {
        const group: GroupRef = { name, category: item.category, ...(item.department ? { department: item.department } : {}), ...(item.kind ? { kind: item.kind } : {}) };
        const r = rows.get(groupKey(group) + SEP + mk);
        if (r) r.journal = { op: record.op, ...(record.batchId !== undefined ? { batchId: record.batchId } : {}), ...(record.status ? { status: record.status } : {}) };
      }
    }
  }
  const members = new Map<string, { key: Identity; memberships: { gk: string; m: ExplainedMembership }[] }>();
  for (const r of rows.values()) {
    const gk = r.groupKey;
    const identities = (r.written ?? r.recorded)!.identities;
    let entry = members.get(r.memberKey);
    if (!entry) members.set(r.memberKey, (entry = { key: identities[0]!, memberships: [] }));
    const f = files.get(gk);
    entry.memberships.push({
      gk,
      m: {
        group: f?.group ?? r.group,
        status: statusOf(r),
        ...(r.written ? { written: r.written } : {}),
        ...(r.recorded ? { recorded: r.recorded } : {}),
        ...(f ? { declaredIn: { file: f.file, line: f.nameLine } } : {}),
        ...(r.journal ? { journal: r.journal } : {}),
      },
    });
  }
  const journal = input.journal;
  return {
    query: query.text,
    members: [...members.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, e]) => ({ key: e.key, memberships: e.memberships.sort((a, b) => compareStrings(a.gk, b.gk)).map((x) => x.m) })),
    groups: { dir: input.groups.dir, exists: input.groups.exists },
    snapshot: input.snapshot,
    ...(journal ? { journal: { path: journal.path, started: journal.started, commit: journal.commit, requests: journal.records.length } } : {}),
  };
}

function writtenOf(f: ExplainGroupFile, m: ExplainGroupFile['members'][number]): NonNullable<Row['written']> {
  return { identities: m.member.identities, file: m.file ?? f.file, line: m.line, groupFile: f.file };
}

function statusOf(r: Row): MembershipStatus {
  if (r.written && r.recorded) {
    return memberSignature({ identities: r.written.identities }) === memberSignature({ identities: r.recorded.identities }) ? 'applied' : 'pending-update';
  }
  return r.written ? 'pending-add' : 'pending-delete';
}
