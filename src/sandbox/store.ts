import type { SandboxGroup, SandboxIdentity, SandboxMembership, SandboxPerson } from './types.js';

interface Person {
  readonly id: number;
  /** Replaced, not pushed to, when an identity is merged: a pushed-to list keeps room for 16. */
  identities: readonly SandboxIdentity[];
}

interface StoredGroup {
  readonly group: SandboxGroup;
  readonly members: Set<number>;
}

/** How identities are compared: matchingType 1 (exact) also compares platform and appid as given. */
export type Matching = 'exact' | 'fuzzy';

/** An item of an import, in the store's terms. */
export interface StoreItem {
  readonly identities: readonly SandboxIdentity[];
  readonly groups: readonly SandboxGroup[];
}

const SEP = '\u001f';
/** Most items match one person or none: they share this empty list instead of a new one each. */
const NO_WARNINGS: readonly string[] = Object.freeze([]);

/**
 * The fake platform's memberships: persons with several identities, groups keyed by
 * (categoryType, department, name) and created on first use, as the API does ("分组不存在时自动创建").
 */
export class MembershipStore {
  /** Persons by id - 1: ids are given out in order from 1. */
  #persons: Person[] = [];
  /** Identities by type and value, for matching an item to a person by any of its identities. */
  #index = new Map<string, { personId: number; identity: SandboxIdentity }[]>();
  /** By group key, for listing in order. */
  #groups = new Map<string, StoredGroup>();
  /** The same groups by context, then name: an item's groups are found without building a key per group. */
  #byContext = new Map<string, Map<string, StoredGroup>>();
  #nextPersonId = 1;

  /**
   * Adds the item's person (matched by any identity, else created) to every group, creating groups,
   * and merges identities nobody has yet. Returns warnings (an ambiguous match).
   */
  add(item: StoreItem, matching: Matching): readonly string[] {
    const keys = item.identities.map(indexKey);
    const { person, warnings } = this.#find(item.identities, keys, matching);
    const target = person ?? this.#createPerson();
    // An identity already known (to this person or, in an ambiguous item, to another) is not copied:
    // one identity never ends up on two persons.
    for (let i = 0; i < keys.length; i++) {
      const identity = item.identities[i]!;
      if (!this.#isKnown(identity, keys[i]!, matching)) this.#addIdentity(target, identity, keys[i]!);
    }
    for (const group of item.groups) this.#groupFor(group).members.add(target.id);
    return warnings;
  }

  /** Removes the item's person from the groups; an unknown person, group or membership is a no-op. */
  remove(item: StoreItem, matching: Matching): readonly string[] {
    const { person, warnings } = this.#find(item.identities, item.identities.map(indexKey), matching);
    if (!person) return warnings;
    for (const group of item.groups) this.#byContext.get(contextKey(group))?.get(group.name)?.members.delete(person.id);
    return warnings;
  }

  /** Every membership, sorted by group key, then person id. */
  memberships(): SandboxMembership[] {
    const out: SandboxMembership[] = [];
    const keys = [...this.#groups.keys()].sort();
    for (const key of keys) {
      const stored = this.#groups.get(key) as StoredGroup;
      for (const id of [...stored.members].sort((a, b) => a - b)) {
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
    this.#nextPersonId = 1;
  }

  /** The first person matched, in the order of the item's identities (the first is the member's key); `keys` are their index keys. */
  #find(identities: readonly SandboxIdentity[], keys: readonly string[], matching: Matching): { person: Person | undefined; warnings: readonly string[] } {
    let first: number | undefined;
    // Built only when a second person matches (an ambiguous item): most items match one person or none.
    let matched: Set<number> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const entries = this.#index.get(keys[i]!);
      if (entries === undefined) continue;
      for (const entry of entries) {
        if (!identitiesMatch(entry.identity, identities[i]!, matching)) continue;
        if (first === undefined) first = entry.personId;
        else if (entry.personId !== first) (matched ??= new Set([first])).add(entry.personId);
      }
    }
    const warnings = matched ? [`the identities match ${matched.size} persons (${[...matched].map((id) => `#${id}`).join(', ')}); used #${first}`] : NO_WARNINGS;
    return { person: first === undefined ? undefined : this.#persons[first - 1], warnings };
  }

  #isKnown(identity: SandboxIdentity, key: string, matching: Matching): boolean {
    const entries = this.#index.get(key);
    if (entries === undefined) return false;
    for (const entry of entries) if (identitiesMatch(entry.identity, identity, matching)) return true;
    return false;
  }

  #createPerson(): Person {
    const person: Person = { id: this.#nextPersonId++, identities: [] };
    this.#persons.push(person);
    return person;
  }

  #addIdentity(person: Person, identity: SandboxIdentity, key: string): void {
    person.identities = [...person.identities, { ...identity }];
    const list = this.#index.get(key);
    if (list) list.push({ personId: person.id, identity });
    else this.#index.set(key, [{ personId: person.id, identity }]);
  }

  #groupFor(group: SandboxGroup): StoredGroup {
    const ck = contextKey(group);
    let named = this.#byContext.get(ck);
    if (!named) this.#byContext.set(ck, (named = new Map()));
    let stored = named.get(group.name);
    if (!stored) {
      stored = { group: copyGroup(group), members: new Set() };
      named.set(group.name, stored);
      this.#groups.set(groupKey(group), stored);
    }
    return stored;
  }

  #snapshotPerson(id: number): SandboxPerson {
    const person = this.#persons[id - 1]!;
    return { id, identities: person.identities.map((i) => ({ ...i })) };
  }
}

/**
 * Whether an incoming identity is a stored one: same type and value; with exact matching also the
 * same platform and appid, with fuzzy matching (the default) platform and appid only when both sides give them.
 */
export function identitiesMatch(stored: SandboxIdentity, incoming: SandboxIdentity, matching: Matching): boolean {
  if (stored.type !== incoming.type || stored.value !== incoming.value) return false;
  if (matching === 'exact') return stored.platform === incoming.platform && stored.appid === incoming.appid;
  const sameIfBoth = (a: string | undefined, b: string | undefined): boolean => a === undefined || b === undefined || a === b;
  return sameIfBoth(stored.platform, incoming.platform) && sameIfBoth(stored.appid, incoming.appid);
}

// Keys are built with join, which makes one flat string: a template literal makes a rope that every
// Map lookup walks again (the store looks up every identity and group of every item).
function indexKey(identity: SandboxIdentity): string {
  return [identity.type, identity.value].join(SEP);
}

/** Category and department: for an enterprise group (most groups) the category alone, no string built. */
function contextKey(group: SandboxGroup): string {
  return group.department ? [group.categoryType, group.department.field, group.department.value].join(SEP) : group.categoryType;
}

function groupKey(group: SandboxGroup): string {
  const dept = group.department ? `${group.department.field}=${group.department.value}` : '';
  return [group.categoryType, dept, group.name].join(SEP);
}

function copyGroup(group: SandboxGroup): SandboxGroup {
  return group.department
    ? { name: group.name, categoryType: group.categoryType, department: { ...group.department } }
    : { name: group.name, categoryType: group.categoryType };
}
