import { groupKey, type GroupMembers, type Member, type MembershipState } from '../core/model.js';
import type { SourceIssue } from '../errors/index.js';
import type { LoadedGroup } from './group-file.js';
import { memberMapOf } from './member-maps.js';

/**
 * Combines valid group files (and the groups taken as unchanged, unread) into the desired state; a group key declared in two files is an
 * issue in each of them, naming the other (so both show up as annotations).
 */
export function buildDesiredState(
  groups: readonly LoadedGroup[],
  unchanged: readonly { readonly key: string; readonly entry: GroupMembers }[] = [],
): { ok: true; state: MembershipState } | { ok: false; issues: SourceIssue[] } {
  // Groups taken as unchanged since the last apply (load-groups.ts reads a file that declares one of them again).
  const state = new Map<string, GroupMembers>(unchanged.map((u) => [u.key, u.entry]));
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

function membersOf(g: LoadedGroup): ReadonlyMap<string, Member> {
  return memberMapOf(g.members);
}

function describeContext(g: LoadedGroup): string {
  if (g.group.kind === 'customer') return 'customer group';
  return g.group.department ? `${g.group.category}, ${g.group.department.field} ${g.group.department.value}` : g.group.category;
}
