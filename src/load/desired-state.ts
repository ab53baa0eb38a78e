import { groupKey, type GroupMembers, type Member, type MembershipState } from '../core/model.js';
import type { SourceIssue } from '../errors/index.js';
import type { LoadedGroup } from './group-file.js';

/**
 * Combines valid group files into the desired state; a group key declared in two files is an
 * issue naming both files.
 */
export function buildDesiredState(groups: readonly LoadedGroup[]): { ok: true; state: MembershipState } | { ok: false; issues: SourceIssue[] } {
  const state = new Map<string, GroupMembers>();
  const declaredIn = new Map<string, string>();
  const issues: SourceIssue[] = [];
  for (const g of groups) {
    const key = groupKey(g.group);
    const other = declaredIn.get(key);
    if (other !== undefined) {
      issues.push({ file: g.file, line: g.nameLine, column: 1, message: `group "${g.group.name}" (${describeContext(g)}) is already declared in ${other}: declare each group in one file` });
      continue;
    }
    declaredIn.set(key, `${g.file}:${g.nameLine}`);
    const members = new Map<string, Member>();
    for (const m of g.members) members.set(m.key, m.member);
    state.set(key, { group: g.group, members });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, state };
}

function describeContext(g: LoadedGroup): string {
  return g.group.department ? `${g.group.category}, ${g.group.department.field} ${g.group.department.value}` : g.group.category;
}
