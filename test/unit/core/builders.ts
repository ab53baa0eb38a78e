import type { Change } from '../../../src/core/diff.js';
import { stateFromGroups } from '../../../src/core/diff.js';
import { memberKey, type GroupRef, type Identity, type Member, type MembershipState } from '../../../src/core/model.js';

/** Small builders for core tests: inputs read like the YAML they stand for. */

export const phone = (value: string): Identity => ({ type: 'phone', value });
export const unionid = (value: string): Identity => ({ type: 'unionid', value });
export const openid = (value: string, appid: string, isWeChatEcosystem = true): Identity => ({ type: 'openid', value, platform: 'gzh', appid, isWeChatEcosystem });

export const member = (...identities: Identity[]): Member => ({ identities });

export const enterprise = (name: string): GroupRef => ({ name, category: 'enterprise' });
export const department = (name: string, wxDeptId: string): GroupRef => ({ name, category: 'department', department: { field: 'wxDeptId', value: wxDeptId } });

/** A membership state from groups and their members. */
export function state(...groups: [GroupRef, Member[]][]): MembershipState {
  return stateFromGroups(groups.map(([group, members]) => ({ group, members: members.map((m): [string, Member] => [memberKey(m), m]) })));
}

/** `n` members with distinct phone numbers, from `start`. */
export function phones(n: number, start = 0): Member[] {
  return Array.from({ length: n }, (_, i) => member(phone(`1380000${String(start + i).padStart(4, '0')}`)));
}

/** Person `p` as a member: a phone (variant 0), or that phone with a unionid naming the variant (the same key, other identities). */
export const person = (p: number, variant: number): Member => (variant === 0 ? member(phone(`13${p}`)) : member(phone(`13${p}`), unionid(`u${p}-${variant}`)));

/** A group of a random state: up to `most` members, persons drawn from `persons` (each once, in one of three variants). */
export function randomMembers(random: () => number, most: number, persons: number): Member[] {
  const pick = (n: number) => Math.floor(random() * n);
  const seen = new Set<number>();
  const members: Member[] = [];
  for (let k = pick(most); k > 0; k--) {
    const p = pick(persons);
    if (!seen.has(p)) members.push(person(p, pick(3)));
    seen.add(p);
  }
  return members;
}

/** What a change is about, in one line, for readable assertions. */
export function brief(c: Change): string {
  return `${c.op} ${c.group.name} ${c.member.identities.map((i) => i.value).join('+')}${c.previous ? ` (was ${c.previous.identities.map((i) => i.value).join('+')})` : ''}`;
}
