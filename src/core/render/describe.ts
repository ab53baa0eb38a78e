import type { Change } from '../diff.js';
import type { GroupRef, Identity, Member } from '../model.js';
import { maskValue } from './mask.js';

export interface DescribeOptions {
  /** Replace identity values with masked ones (for readers who must not see them). */
  readonly mask: boolean;
}

/** One identity as a reader sees it: `openid o6_b…L2M (gzh, appid wx12…, WeChat)`. */
export function describeIdentity(id: Identity, options: DescribeOptions): string {
  const extras: string[] = [];
  if (id.platform !== undefined) extras.push(`platform ${id.platform}`);
  if (id.appid !== undefined) extras.push(`appid ${id.appid}`);
  if (id.isWeChatEcosystem !== undefined) extras.push(id.isWeChatEcosystem ? 'WeChat ecosystem' : 'not WeChat ecosystem');
  const value = options.mask ? maskValue(id.value) : id.value;
  return `${id.type} ${value}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
}

/** A member: its identities, the key first, joined by " + ". */
export function describeMember(member: Member, options: DescribeOptions): string {
  return member.identities.map((id) => describeIdentity(id, options)).join(' + ');
}

/** A group: `VIP客户 (enterprise)` or `研发部 (department, wxDeptId 1001)`. */
export function describeGroup(group: GroupRef): string {
  const dept = group.department ? `, ${group.department.field} ${group.department.value}` : '';
  return `${group.name} (${group.category}${dept})`;
}

/** Changes grouped by group key, in plan order. */
export function changesByGroup(changes: readonly Change[]): { group: GroupRef; changes: Change[] }[] {
  const out: { group: GroupRef; changes: Change[] }[] = [];
  let current: { key: string; group: GroupRef; changes: Change[] } | undefined;
  for (const c of changes) {
    if (!current || current.key !== c.groupKey) {
      current = { key: c.groupKey, group: c.group, changes: [] };
      out.push(current);
    }
    current.changes.push(c);
  }
  return out.map(({ group, changes: cs }) => ({ group, changes: cs }));
}

/** Requests per operation: `{ op, requests, items }`. */
export function requestCounts(plan: { batches: readonly { op: string; items: readonly unknown[] }[] }): { op: string; requests: number; items: number }[] {
  const out: { op: string; requests: number; items: number }[] = [];
  for (const op of ['delete', 'add']) {
    const bs = plan.batches.filter((b) => b.op === op);
    if (bs.length > 0) out.push({ op, requests: bs.length, items: bs.reduce((n, b) => n + b.items.length, 0) });
  }
  return out;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
