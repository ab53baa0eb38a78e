import type { Member } from '../core/model.js';
import { MemberIndex } from '../core/sorted-members.js';
import { InternalError } from '../errors/index.js';
import type { LoadedMember } from './group-file.js';

// A group's members by key, kept per members array (which never changes once read): built once,
// since `plan --watch` reuses unchanged groups and rebuilding a million-entry map on every save
// would dominate a re-plan. A reader that checks for duplicate keys builds this very map on the
// way (a MemberIndex: for members in key order, the list itself) and leaves it here, so a million
// members are not put into a second map.
const maps = new WeakMap<readonly LoadedMember[], ReadonlyMap<string, Member>>();

/** Records `map` (every member of `members` by key, in order, no key twice) as the map of `members`. */
export function rememberMemberMap(members: readonly LoadedMember[], map: ReadonlyMap<string, Member>): void {
  maps.set(members, map);
}

/** The members by key, in key order (built on first use unless a reader left it). */
export function memberMapOf(members: readonly LoadedMember[]): ReadonlyMap<string, Member> {
  let map = maps.get(members);
  if (!map) {
    const index = new MemberIndex(members);
    for (const m of members) if (!index.add(m.key)) throw new InternalError(`a member list holds the key of line ${m.line} twice: its reader should have refused it`);
    const { members: byKey, repeated } = index.finish();
    if (repeated.length > 0) throw new InternalError(`a member list holds the key of line ${members[repeated[0]!.index]!.line} twice: its reader should have refused it`);
    maps.set(members, (map = byKey));
  }
  return map;
}
