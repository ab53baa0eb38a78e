import { compareStrings } from '../core/model.js';
import type { SandboxMembership } from '../sandbox/server.js';

/**
 * What the sandbox platform holds, one line per group: `VIP客户 (enterprise): 4 members` followed
 * by its members' identities, sorted, so the demo shows the platform's side of the apply.
 */
export function describeSandboxMemberships(memberships: readonly SandboxMembership[]): string[] {
  const groups = new Map<string, { title: string; members: string[] }>();
  for (const m of memberships) {
    const dept = m.group.department ? `, ${m.group.department.field} ${m.group.department.value}` : '';
    const title = `${m.group.name} (${m.group.categoryType === '2' ? 'department' : 'enterprise'}${dept})`;
    let entry = groups.get(title);
    if (!entry) groups.set(title, (entry = { title, members: [] }));
    entry.members.push(m.person.identities.map((id) => `${id.type} ${id.value}`).join(' + '));
  }
  const lines: string[] = [];
  for (const g of [...groups.values()].sort((a, b) => compareStrings(a.title, b.title))) {
    lines.push(`  ${g.title}: ${g.members.length} member${g.members.length === 1 ? '' : 's'}`);
    for (const m of g.members.sort(compareStrings)) lines.push(`    ${m}`);
  }
  return lines;
}
