import type { Hash } from 'node:crypto';
import { inputsDigest, sha256Hex, sourceHash, type GroupInputs, type GroupSource, type InputFile } from '../core/group-source.js';
import { groupKey, type GroupMembers, type GroupRef, type MembershipState } from '../core/model.js';
import { changedGroupKeys, type Plan } from '../core/plan.js';
import type { DesiredGroups, UnchangedGroup, UnchangedLookup } from '../load/load-groups.js';
import { buildIdentity, toolVersion } from '../load/package-root.js';
import type { SnapshotRead } from '../state/journal-read.js';
import { feedGroupLines, type Snapshot } from '../state/snapshot-format.js';
import { countMembers, parseSection, SectionMembers, type SnapshotSection, type SnapshotSections } from '../state/snapshot-sections.js';
import type { Workspace } from './workspace.js';

// The two ends of a group's source (core/group-source.ts): what an apply records, and how a plan
// uses it to leave an unchanged group file unread.

/**
 * The settings a group file is read with, as the digest covers them: groupops's version and build
 * (the code itself: two builds of one version may read a file differently), the groups folder
 * (member lists must be inside it), and the whole config (identity types, patterns, endpoints,
 * limits; anything else in it only makes a change of it read every file once).
 */
export function sourceContext(ws: Workspace): string {
  return JSON.stringify({ version: toolVersion(), build: buildIdentity(), groups: ws.groupsDir, config: ws.config });
}

/**
 * The inputs of every group the apply (or adopt) leaves exactly as declared, for the snapshot's
 * sources: every desired group once the apply sent everything it planned (callers pass nothing
 * otherwise), except a group with warnings (a plan would have to read its file to print them).
 */
export function sourcesOf(ws: Workspace, desired: DesiredGroups): Map<string, GroupInputs> {
  const context = sourceContext(ws);
  const warned = new Set(desired.warnings.map((w) => w.file));
  const sources = new Map<string, GroupInputs>();
  for (const g of desired.groups) {
    const files = g.inputs;
    if (!files || files.some((f) => warned.has(f.path))) continue;
    sources.set(groupKey(g.group), { files: files.map((f) => f.path), inputs: inputsDigest(context, files) });
  }
  return sources;
}

/**
 * True when a recorded source holds for the files as `read` gives them now and the group's lines
 * as `lines` feeds them: the digest recomputed is the one recorded.
 */
function sourceHolds(source: GroupSource, context: string, read: (path: string) => Uint8Array | undefined, lines: (hash: Hash) => void): boolean {
  const files: InputFile[] = [];
  for (const path of source.files) {
    const bytes = read(path);
    if (bytes === undefined) return false;
    files.push({ path, sha256: sha256Hex(bytes) });
  }
  const hash = sourceHash(inputsDigest(context, files));
  lines(hash);
  return hash.digest('hex') === source.digest;
}

/**
 * The groups an apply is about to change although the snapshot records a source that holds for
 * them (their files, the settings and their lines give the recorded digest, so a plan takes them as
 * unchanged): a source that cannot be true, written by hand or by something else than groupops.
 * An apply reads every file, so it sees what such a source hides from a plan, and refuses.
 */
export function contradictedSources(context: string, snapshot: Snapshot, plan: Plan, read: (path: string) => Uint8Array | undefined): GroupRef[] {
  if (!snapshot.sources) return [];
  const changed = changedGroupKeys(plan);
  const out: GroupRef[] = [];
  for (const [key, source] of snapshot.sources) {
    const applied = snapshot.applied.get(key);
    if (!('digest' in source) || !changed.has(key) || !applied) continue;
    if (sourceHolds(source, context, read, (hash) => feedGroupLines(hash, applied))) out.push(applied.group);
  }
  return out;
}

/** Unchanged groups found by a plan, and the snapshot made from the same sections. */
export interface UnchangedGroups {
  /** For loadGroups: the group a file declares as applied, when its source digest matches. */
  readonly lookup: UnchangedLookup;
  /**
   * The snapshot as read: unchanged groups share their members with the desired state (unparsed),
   * the others' member lines are parsed; undefined when one of those lines is not what the
   * usual reader accepts (then it reads the snapshot and reports the problem).
   */
  readonly snapshot: () => SnapshotRead | undefined;
}

/**
 * Matches group files against the sources of a snapshot's sections: a file is unchanged when the
 * digest of its bytes, its member lists' bytes, the settings and the group's member lines is the
 * one recorded. A file two sources name is read as usual.
 */
export function unchangedGroups(sections: SnapshotSections, context: string): UnchangedGroups {
  const byFile = new Map<string, SnapshotSection | null>();
  for (const s of sections.sections) {
    const file = s.source?.files[0];
    if (file !== undefined) byFile.set(file, byFile.has(file) ? null : s);
  }
  const shared = new Map<SnapshotSection, GroupMembers>();
  const lookup: UnchangedLookup = (file, read): UnchangedGroup | undefined => {
    const section = byFile.get(file);
    if (!section?.source || !sourceHolds(section.source, context, read, (hash) => hash.update(section.lines))) return undefined;
    let entry = shared.get(section);
    if (!entry) shared.set(section, (entry = { group: section.group, members: new SectionMembers(section, countMembers(section)) }));
    return { key: section.key, entry };
  };
  const snapshot = (): SnapshotRead | undefined => {
    const applied = new Map<string, GroupMembers>();
    for (const s of sections.sections) {
      const entry = shared.get(s);
      if (entry) {
        applied.set(s.key, entry);
        continue;
      }
      const members = parseSection(s);
      if (!members) return undefined;
      applied.set(s.key, { group: s.group, members });
    }
    const state: MembershipState = applied;
    return { snapshot: { ...sections.head, applied: state }, digest: sections.digest };
  };
  return { lookup, snapshot };
}
