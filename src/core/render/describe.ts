import type { Change } from '../diff.js';
import type { GroupRef, Identity, Member } from '../model.js';
import { maskValue } from './mask.js';
import { printable } from './printable.js';

export interface DescribeOptions {
  /** Replace identity values with masked ones (for readers who must not see them). */
  readonly mask: boolean;
}

/** One identity as a reader sees it: `openid o6_b…L2M (gzh, appid wx12…, WeChat)`. */
export function describeIdentity(id: Identity, options: DescribeOptions): string {
  const extras: string[] = [];
  if (id.platform !== undefined) extras.push(`platform ${printable(id.platform)}`);
  if (id.appid !== undefined) extras.push(`appid ${printable(id.appid)}`);
  if (id.isWeChatEcosystem !== undefined) extras.push(id.isWeChatEcosystem ? 'WeChat ecosystem' : 'not WeChat ecosystem');
  const value = printable(options.mask ? maskValue(id.value) : id.value);
  return `${printable(id.type)} ${value}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
}

/** A member: its identities, the key first, joined by " + ". */
export function describeMember(member: Member, options: DescribeOptions): string {
  return member.identities.map((id) => describeIdentity(id, options)).join(' + ');
}

/** A group: `VIP客户 (enterprise)`, `研发部 (department, wxDeptId 1001)` or `会员 (customer group)`. */
export function describeGroup(group: GroupRef): string {
  if (group.kind === 'customer') return `${printable(group.name)} (customer group)`;
  const dept = group.department ? `, ${group.department.field} ${printable(group.department.value)}` : '';
  return `${printable(group.name)} (${group.category}${dept})`;
}

/**
 * The stretch of the changes each group has, in plan order (changes are sorted by group): the
 * renderers read them in place, since a plan of a million changes copied into per-group lists is
 * a million pushes for lines of which a few thousand are shown.
 */
export function groupRuns(changes: readonly Change[]): { key: string; group: GroupRef; start: number; end: number }[] {
  const out: { key: string; group: GroupRef; start: number; end: number }[] = [];
  let current: { key: string; group: GroupRef; start: number; end: number } | undefined;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (!current || current.key !== c.groupKey) {
      current = { key: c.groupKey, group: c.group, start: i, end: i };
      out.push(current);
    }
    current.end = i + 1;
  }
  return out;
}

/** How many of changes[start, end) are adds. */
export function addsIn(changes: readonly Change[], start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (changes[i]!.op === 'add') n++;
  return n;
}

/** Requests per operation and endpoint: `{ op, requests, items }`, with `target: 'customer'` for the customer-group endpoint. */
export function requestCounts(plan: { batches: readonly { op: string; items: readonly unknown[]; target?: string }[] }): { op: string; requests: number; items: number; target?: 'customer' }[] {
  const out: { op: string; requests: number; items: number; target?: 'customer' }[] = [];
  for (const op of ['delete', 'add']) {
    for (const customer of [false, true]) {
      const bs = plan.batches.filter((b) => b.op === op && (b.target === 'customer') === customer);
      if (bs.length === 0) continue;
      const items = bs.reduce((n, b) => n + b.items.length, 0);
      out.push(customer ? { op, requests: bs.length, items, target: 'customer' } : { op, requests: bs.length, items });
    }
  }
  return out;
}

/** `1 request`, `2 requests`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `3 to add, 1 to delete, in 2 requests`: the plan's closing line everywhere it is shown (terminal, Markdown, commit message). */
export function planCounts(summary: { readonly add: number; readonly delete: number; readonly requests: number }): string {
  return `${summary.add} to add, ${summary.delete} to delete, in ${plural(summary.requests, 'request')}`;
}
