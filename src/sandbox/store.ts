import { HashIndex } from './hash-index.js';
import { MemberSet } from './member-set.js';
import type { SandboxGroup, SandboxIdentity, SandboxMembership, SandboxPerson } from './types.js';

/**
 * One identity the store holds, with the person it belongs to. One object per identity, the
 * only thing the store keeps of it: the index and the person both point at it (at a million
 * memberships every object kept is work for the garbage collector on every later request).
 * Every field is always set (undefined when absent), so all of them share one shape. Made by one
 * object literal rather than a class: measured, about 15% fewer bytes for the young-generation
 * collector to copy over a 1M import (V8 can pretenure a literal's allocation site).
 */
interface StoredIdentity {
  readonly personId: number;
  readonly type: string;
  readonly value: string;
  readonly platform: string | undefined;
  readonly appid: string | undefined;
  readonly isWeChatEcosystem: boolean | undefined;
}

/** A person's identities: the identity itself for most persons, a list (at its size) for the rest. */
type PersonIdentities = StoredIdentity | readonly StoredIdentity[];

/** A group the store holds and its members' person ids. */
export interface StoredGroup {
  readonly group: SandboxGroup;
  readonly members: MemberSet;
}

/** How identities are compared: matchingType 1 (exact) also compares platform and appid as given. */
export type Matching = 'exact' | 'fuzzy';

/** An item of an import, in the store's terms. */
export interface StoreItem {
  readonly identities: readonly SandboxIdentity[];
  readonly groups: readonly SandboxGroup[];
}

/** An item that matched more than one person: the first is used, the warning names them all. */
interface Ambiguous {
  readonly first: number;
  readonly persons: Set<number>;
}

const SEP = '\u001f';
/** Most items match one person or none: they share this empty list instead of a new one each. */
const NO_WARNINGS: readonly string[] = Object.freeze([]);
/** A person between its creation and its first identity. */
const NO_IDENTITIES: readonly StoredIdentity[] = Object.freeze([]);

/**
 * The fake platform's memberships: persons with several identities, groups keyed by
 * (categoryType, department, name) and created on first use, as the API does ("分组不存在时自动创建").
 */
export class MembershipStore {
  /** Each person's identities by person id - 1: ids are given out in order from 1. */
  #persons: PersonIdentities[] = [];
  /**
   * Stored identities by a hash of their value, in the order they were stored: one identity, or a
   * list when several share the hash (other types with the same value, or another value), told
   * apart by identitiesMatch. Keyed by a number, not the value string: a lookup among hundreds of
   * thousands then compares numbers in one table instead of reading the strings on its way.
   */
  #index = new HashIndex<StoredIdentity | StoredIdentity[]>();
  /** By group key, for listing in order. */
  #groups = new Map<string, StoredGroup>();
  /** The same groups by context, then name: an item's groups are found without building a key per group. */
  #byContext = new Map<string, Map<string, StoredGroup>>();

  /**
   * Adds the item's person (matched by any identity, else created) to every group, creating groups,
   * and merges identities nobody has yet. Returns warnings (an ambiguous match).
   */
  add(item: StoreItem, matching: Matching): readonly string[] {
    return this.addToGroups(
      item.identities,
      item.groups.map((g) => this.#groupFor(g.categoryType, g.department, g.name)),
      matching,
    );
  }

  /**
   * add() with the groups already looked up by groupsFor(): an import's items mostly share their
   * groups, so the caller looks them up once per distinct list instead of once per item.
   */
  addToGroups(identities: readonly SandboxIdentity[], groups: readonly StoredGroup[], matching: Matching): readonly string[] {
    const found = this.#find(identities, matching);
    const personId = typeof found === 'number' ? found : found.first;
    const target = personId === 0 ? this.#createPerson() : personId;
    // An identity already known (to this person or, in an ambiguous item, to another) is not copied:
    // one identity never ends up on two persons.
    for (let i = 0; i < identities.length; i++) this.#addIfUnknown(target, identities[i]!, matching);
    for (let g = 0; g < groups.length; g++) groups[g]!.members.add(target);
    return typeof found === 'number' ? NO_WARNINGS : [ambiguityWarning(found)];
  }

  /** The groups of one context with these names, created when new (they are about to get a member). */
  groupsFor(context: Omit<SandboxGroup, 'name'>, names: readonly string[]): StoredGroup[] {
    const out: StoredGroup[] = [];
    for (const name of names) out.push(this.#groupFor(context.categoryType, context.department, name));
    return out;
  }

  /** Removes the item's person from the groups; an unknown person, group or membership is a no-op. */
  remove(item: StoreItem, matching: Matching): readonly string[] {
    const found = this.#find(item.identities, matching);
    const personId = typeof found === 'number' ? found : found.first;
    if (personId === 0) return NO_WARNINGS;
    for (const group of item.groups) this.#byContext.get(contextKey(group.categoryType, group.department))?.get(group.name)?.members.delete(personId);
    return typeof found === 'number' ? NO_WARNINGS : [ambiguityWarning(found)];
  }

  /** Every membership, sorted by group key, then person id. */
  memberships(): SandboxMembership[] {
    const out: SandboxMembership[] = [];
    const keys = [...this.#groups.keys()].sort();
    for (const key of keys) {
      const stored = this.#groups.get(key) as StoredGroup;
      for (const id of stored.members.ids()) {
        out.push({ group: copyGroup(stored.group), person: this.#snapshotPerson(id) });
      }
    }
    return out;
  }

  /** Counts, for the inspection API. */
  counts(): { persons: number; groups: number; memberships: number } {
    let memberships = 0;
    for (const g of this.#groups.values()) memberships += g.members.size;
    return { persons: this.#persons.length, groups: this.#groups.size, memberships };
  }

  reset(): void {
    this.#persons = [];
    this.#index.clear();
    this.#groups.clear();
    this.#byContext.clear();
  }

  /**
   * The first person matched, in the order of the item's identities (the first is the member's key)
   * and, per identity, of storing: its id (0: none), or every person matched when there are several.
   */
  #find(identities: readonly SandboxIdentity[], matching: Matching): number | Ambiguous {
    let first = 0;
    // Built only when a second person matches (an ambiguous item): most items match one person or none.
    let matched: Set<number> | undefined;
    for (let i = 0; i < identities.length; i++) {
      const identity = identities[i]!;
      const entry = this.#index.get(valueHash(identity.value));
      if (entry === undefined) continue;
      const count = isList(entry) ? entry.length : 1;
      for (let k = 0; k < count; k++) {
        const stored = isList(entry) ? entry[k]! : entry;
        if (!identitiesMatch(stored, identity, matching)) continue;
        if (first === 0) first = stored.personId;
        else if (stored.personId !== first) (matched ??= new Set([first])).add(stored.personId);
      }
    }
    return matched ? { first, persons: matched } : first;
  }

  /** Stores the identity on the person unless a stored identity matches it already. */
  #addIfUnknown(personId: number, identity: SandboxIdentity, matching: Matching): void {
    const hash = valueHash(identity.value);
    const entry = this.#index.get(hash);
    if (entry !== undefined) {
      if (!isList(entry)) {
        if (identitiesMatch(entry, identity, matching)) return;
      } else {
        for (let k = 0; k < entry.length; k++) if (identitiesMatch(entry[k]!, identity, matching)) return;
      }
    }
    const stored: StoredIdentity = { personId, type: identity.type, value: identity.value, platform: identity.platform, appid: identity.appid, isWeChatEcosystem: identity.isWeChatEcosystem };
    if (entry === undefined) this.#index.set(hash, stored);
    else if (!isList(entry)) this.#index.set(hash, [entry, stored]);
    else entry.push(stored);
    const held = this.#persons[personId - 1]!;
    // Replaced, not pushed to, when a second identity is merged: a pushed-to list keeps room for 16.
    this.#persons[personId - 1] = !isList(held) ? [held, stored] : held.length === 0 ? stored : [...held, stored];
  }

  #createPerson(): number {
    this.#persons.push(NO_IDENTITIES);
    return this.#persons.length;
  }

  #groupFor(categoryType: SandboxGroup['categoryType'], department: SandboxGroup['department'], name: string): StoredGroup {
    const ck = contextKey(categoryType, department);
    let named = this.#byContext.get(ck);
    if (!named) this.#byContext.set(ck, (named = new Map<string, StoredGroup>()));
    let stored = named.get(name);
    if (!stored) {
      const group: SandboxGroup = department ? { name, categoryType, department: { ...department } } : { name, categoryType };
      stored = { group, members: new MemberSet() };
      named.set(name, stored);
      this.#groups.set(groupKey(group), stored);
    }
    return stored;
  }

  #snapshotPerson(id: number): SandboxPerson {
    const held = this.#persons[id - 1]!;
    return { id, identities: isList(held) ? held.map(snapshotIdentity) : [snapshotIdentity(held)] };
  }
}

/**
 * Whether an incoming identity is a stored one: same type and value; with exact matching also the
 * same platform and appid, with fuzzy matching (the default) platform and appid only when both sides give them.
 */
export function identitiesMatch(stored: SandboxIdentity, incoming: SandboxIdentity, matching: Matching): boolean {
  if (stored.type !== incoming.type || stored.value !== incoming.value) return false;
  if (matching === 'exact') return stored.platform === incoming.platform && stored.appid === incoming.appid;
  return sameIfBoth(stored.platform, incoming.platform) && sameIfBoth(stored.appid, incoming.appid);
}

/** FNV-1a of the value's UTF-16 units, cut to 30 bits. */
function valueHash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function isList(entry: StoredIdentity | readonly StoredIdentity[]): entry is readonly StoredIdentity[] {
  return Array.isArray(entry);
}

function sameIfBoth(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function ambiguityWarning({ first, persons }: Ambiguous): string {
  return `the identities match ${persons.size} persons (${[...persons].map((id) => `#${id}`).join(', ')}); used #${first}`;
}

/** An identity as the inspection API shows it: the fields it was given, in the contract's order. */
function snapshotIdentity(stored: StoredIdentity): SandboxIdentity {
  const out: { type: string; value: string; platform?: string; appid?: string; isWeChatEcosystem?: boolean } = { type: stored.type, value: stored.value };
  if (stored.platform !== undefined) out.platform = stored.platform;
  if (stored.appid !== undefined) out.appid = stored.appid;
  if (stored.isWeChatEcosystem !== undefined) out.isWeChatEcosystem = stored.isWeChatEcosystem;
  return out;
}

/** Category and department: for an enterprise group (most groups) the category alone, no string built. */
function contextKey(categoryType: SandboxGroup['categoryType'], department: SandboxGroup['department']): string {
  // join makes one flat string: a template literal makes a rope that every Map lookup walks again.
  return department ? [categoryType, department.field, department.value].join(SEP) : categoryType;
}

function groupKey(group: SandboxGroup): string {
  const dept = group.department ? `${group.department.field}=${group.department.value}` : '';
  return [group.categoryType, dept, group.name].join(SEP);
}

function copyGroup(group: SandboxGroup): SandboxGroup {
  return group.department ? { name: group.name, categoryType: group.categoryType, department: { ...group.department } } : { name: group.name, categoryType: group.categoryType };
}
