import type { GroupSource } from '../core/group-source.js';
import { groupKey, memberKey, type GroupMembers, type GroupRef, type Member } from '../core/model.js';
import type { TargetRecord } from '../core/target.js';
import type { SourceIssue } from '../errors/index.js';
import { schemaValidator } from '../load/schemas.js';
import { jsonErrorSnippet } from './json-snippet.js';
import type { LastApply, Snapshot } from './snapshot-format.js';
import { modelGroup, readCanonicalSnapshot } from './snapshot-lines.js';

interface SnapshotJson {
  schemaVersion: 1;
  target?: TargetRecord;
  lastApply: LastApply | null;
  groups: { group: StoredGroup; members: Member[]; source?: GroupSource }[];
}

/** A group as stored: a customer group has only name and kind. */
type StoredGroup = GroupRef | { name: string; kind: 'customer' };

/**
 * Parses and validates snapshot text. A snapshot that is not JSON, does not match
 * `schemas/snapshot.schema.json`, or lists a group or member twice is an issue, never "empty".
 */
export function parseSnapshot(file: string, text: string): { ok: true; snapshot: Snapshot } | { ok: false; issues: SourceIssue[] } {
  // The layout groupops writes is read line by line; anything else, and every problem, is read whole.
  const canonical = readCanonicalSnapshot(text);
  if (canonical) return { ok: true, snapshot: canonical };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = jsonErrorPosition(text, err as Error);
    const snippet = jsonErrorSnippet((err as Error).message);
    const message = `the snapshot is not valid JSON (${(err as Error).message}); restore it from git (git checkout -- ${file})`;
    return { ok: false, issues: [{ file, ...pos, message, ...(snippet ? { sensitive: [snippet] } : {}) }] };
  }
  const validate = schemaValidator('snapshot');
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // Keep the most specific errors: "lastApply must be null" only says the other branch failed too.
    const specific = errors.filter((e) => e.keyword !== 'oneOf' && !errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`)));
    const issues = specific.slice(0, 20).map((e) => ({
      file,
      ...lineOfPointer(text, e.instancePath),
      message: `the snapshot does not match its schema: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}; restore it from git`,
    }));
    return { ok: false, issues };
  }
  const json = data as SnapshotJson;
  const applied = new Map<string, GroupMembers>();
  const sources = new Map<string, GroupSource>();
  const issues: SourceIssue[] = [];
  for (const [gi, stored] of json.groups.entries()) {
    const entry = { group: modelGroup(stored.group), members: stored.members };
    const gk = groupKey(entry.group);
    if (applied.has(gk)) {
      issues.push({ file, ...lineOfPointer(text, `/groups/${gi}`), message: `the snapshot lists group "${entry.group.name}" twice; restore it from git` });
      continue;
    }
    const members = new Map<string, Member>();
    for (const [mi, m] of entry.members.entries()) {
      const mk = memberKey(m);
      if (members.has(mk)) {
        const id = m.identities[0]!;
        issues.push({
          file,
          ...lineOfPointer(text, `/groups/${gi}/members/${mi}`),
          message: `the snapshot lists member ${id.type} "${id.value}" twice in group "${entry.group.name}"; restore it from git`,
          sensitive: [id.value],
        });
      }
      members.set(mk, m);
    }
    applied.set(gk, { group: entry.group, members });
    if (stored.source) sources.set(gk, stored.source);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, snapshot: { ...(json.target ? { target: json.target } : {}), applied, lastApply: json.lastApply, ...(sources.size > 0 ? { sources } : {}) } };
}

function jsonErrorPosition(text: string, err: Error): { line: number; column: number } {
  const m = /position (\d+)/.exec(err.message);
  if (m) return lineColumnAt(text, Number(m[1]));
  // A truncated file (e.g. a half-written copy) ends early: point at its end, where it breaks off.
  return /end of (JSON )?input/i.test(err.message) ? lineColumnAt(text, text.length) : { line: 1, column: 1 };
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Best-effort line of a JSON pointer in the canonical layout: group entries and members are one per line. */
function lineOfPointer(text: string, pointer: string): { line: number; column: number } {
  const m = /^\/groups\/(\d+)(?:\/members\/(\d+))?/.exec(pointer);
  if (!m) return { line: 1, column: 1 };
  const groupsAt = text.indexOf('\n  "groups": [');
  if (groupsAt === -1) return { line: 1, column: 1 };
  let offset = groupsAt + 1;
  const wantGroup = Number(m[1]);
  for (let g = 0; g <= wantGroup; g++) {
    const next = text.indexOf('\n    {"group":', offset);
    if (next === -1) return lineColumnAt(text, offset);
    offset = next + 1;
  }
  if (m[2] !== undefined) {
    for (let k = 0; k <= Number(m[2]); k++) {
      const next = text.indexOf('\n      {', offset);
      if (next === -1) break;
      offset = next + 1;
    }
  }
  return lineColumnAt(text, offset);
}
