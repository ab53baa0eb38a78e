import { compareStrings } from '../core/model.js';
import { plural } from '../core/render/describe.js';
import type { SandboxCustomerMembership, SandboxMembership } from '../sandbox/server.js';

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
    lines.push(`  ${g.title}: ${plural(g.members.length, 'member')}`);
    for (const m of g.members.sort(compareStrings)) lines.push(`    ${m}`);
  }
  return lines;
}

/** The customer groups the sandbox holds, kept apart from user groups: `会员俱乐部 (customer group): 3 members`. */
export function describeSandboxCustomers(memberships: readonly SandboxCustomerMembership[]): string[] {
  const groups = new Map<string, string[]>();
  for (const m of memberships) {
    let members = groups.get(m.group);
    if (!members) groups.set(m.group, (members = []));
    members.push(m.customer.identities.map((id) => `${id.type} ${id.value}`).join(' + '));
  }
  const lines: string[] = [];
  for (const name of [...groups.keys()].sort(compareStrings)) {
    const members = groups.get(name)!;
    lines.push(`  ${name} (customer group): ${plural(members.length, 'member')}`);
    for (const m of members.sort(compareStrings)) lines.push(`    ${m}`);
  }
  return lines;
}
