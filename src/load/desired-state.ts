import { groupKey, type GroupMembers, type Member, type MembershipState } from '../core/model.js';
import type { SourceIssue } from '../errors/index.js';
import type { LoadedGroup } from './group-file.js';

/**
 * Combines valid group files into the desired state; a group key declared in two files is an
 * issue in each of them, naming the other (so both show up as annotations).
 */
export function buildDesiredState(groups: readonly LoadedGroup[]): { ok: true; state: MembershipState } | { ok: false; issues: SourceIssue[] } {
  const state = new Map<string, GroupMembers>();
  const declaredIn = new Map<string, LoadedGroup>();
  const reported = new Set<LoadedGroup>();
  const issues: SourceIssue[] = [];
  for (const g of groups) {
    const key = groupKey(g.group);
    const first = declaredIn.get(key);
    if (first !== undefined) {
      const what = `group "${g.group.name}" (${describeContext(g)})`;
      issues.push({ file: g.file, line: g.nameLine, column: 1, message: `${what} is already declared in ${first.file}:${first.nameLine}: declare each group in one file` });
      if (!reported.has(first)) {
        reported.add(first);
        issues.push({ file: first.file, line: first.nameLine, column: 1, message: `${what} is declared again in ${g.file}:${g.nameLine}: declare each group in one file` });
      }
      continue;
    }
    declaredIn.set(key, g);
    state.set(key, { group: g.group, members: membersOf(g) });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, state };
}

// A loaded group never changes, so its member map is built once: `plan --watch` reuses unchanged
// groups, and rebuilding a million-entry map on every save would dominate a re-plan.
const memberMaps = new WeakMap<LoadedGroup, ReadonlyMap<string, Member>>();

function membersOf(g: LoadedGroup): ReadonlyMap<string, Member> {
  let members = memberMaps.get(g);
  if (!members) {
    const map = new Map<string, Member>();
    for (const m of g.members) map.set(m.key, m.member);
    members = map;
    memberMaps.set(g, members);
  }
  return members;
}

function describeContext(g: LoadedGroup): string {
  if (g.group.kind === 'customer') return 'customer group';
  return g.group.department ? `${g.group.category}, ${g.group.department.field} ${g.group.department.value}` : g.group.category;
}
