import type { SandboxGroup, SandboxIdentity, SandboxMembership, SandboxPerson } from './types.js';

interface Person {
  readonly id: number;
  readonly identities: SandboxIdentity[];
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

/**
 * The fake platform's memberships: persons with several identities, groups keyed by
 * (categoryType, department, name) and created on first use, as the API does ("分组不存在时自动创建").
 */
export class MembershipStore {
  #persons = new Map<number, Person>();
  /** Identities by type and value, for matching an item to a person by any of its identities. */
  #index = new Map<string, { personId: number; identity: SandboxIdentity }[]>();
  #groups = new Map<string, StoredGroup>();
  #nextPersonId = 1;

  /**
   * Adds the item's person (matched by any identity, else created) to every group, creating groups,
   * and merges identities nobody has yet. Returns warnings (an ambiguous match).
   */
  add(item: StoreItem, matching: Matching): string[] {
    const { person, warnings } = this.#find(item.identities, matching);
    const target = person ?? this.#createPerson();
    // An identity already known (to this person or, in an ambiguous item, to another) is not copied:
    // one identity never ends up on two persons.
    for (const identity of item.identities) {
      if (!this.#isKnown(identity, matching)) this.#addIdentity(target, identity);
    }
    for (const group of item.groups) this.#groupFor(group).members.add(target.id);
    return warnings;
  }

  /** Removes the item's person from the groups; an unknown person, group or membership is a no-op. */
  remove(item: StoreItem, matching: Matching): string[] {
    const { person, warnings } = this.#find(item.identities, matching);
    if (!person) return warnings;
    for (const group of item.groups) this.#groups.get(groupKey(group))?.members.delete(person.id);
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
    return { persons: this.#persons.size, groups: this.#groups.size, memberships };
  }

  reset(): void {
    this.#persons.clear();
    this.#index.clear();
    this.#groups.clear();
    this.#nextPersonId = 1;
  }

  /** The first person matched, in the order of the item's identities (the first is the member's key). */
  #find(identities: readonly SandboxIdentity[], matching: Matching): { person: Person | undefined; warnings: string[] } {
    const matched = new Set<number>();
    for (const identity of identities) {
      for (const entry of this.#index.get(indexKey(identity)) ?? []) {
        if (identitiesMatch(entry.identity, identity, matching)) matched.add(entry.personId);
      }
    }
    const [first] = matched;
    const warnings = matched.size > 1 ? [`the identities match ${matched.size} persons (${[...matched].map((id) => `#${id}`).join(', ')}); used #${first}`] : [];
    return { person: first === undefined ? undefined : this.#persons.get(first), warnings };
  }

  #isKnown(identity: SandboxIdentity, matching: Matching): boolean {
    return (this.#index.get(indexKey(identity)) ?? []).some((entry) => identitiesMatch(entry.identity, identity, matching));
  }

  #createPerson(): Person {
    const person: Person = { id: this.#nextPersonId++, identities: [] };
    this.#persons.set(person.id, person);
    return person;
  }

  #addIdentity(person: Person, identity: SandboxIdentity): void {
    person.identities.push({ ...identity });
    const key = indexKey(identity);
    const list = this.#index.get(key);
    if (list) list.push({ personId: person.id, identity });
    else this.#index.set(key, [{ personId: person.id, identity }]);
  }

  #groupFor(group: SandboxGroup): StoredGroup {
    const key = groupKey(group);
    let stored = this.#groups.get(key);
    if (!stored) {
      stored = { group: copyGroup(group), members: new Set() };
      this.#groups.set(key, stored);
    }
    return stored;
  }

  #snapshotPerson(id: number): SandboxPerson {
    const person = this.#persons.get(id) as Person;
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

function indexKey(identity: SandboxIdentity): string {
  return `${identity.type}${SEP}${identity.value}`;
}

function groupKey(group: SandboxGroup): string {
  const dept = group.department ? `${group.department.field}=${group.department.value}` : '';
  return `${group.categoryType}${SEP}${dept}${SEP}${group.name}`;
}

function copyGroup(group: SandboxGroup): SandboxGroup {
  return group.department
    ? { name: group.name, categoryType: group.categoryType, department: { ...group.department } }
    : { name: group.name, categoryType: group.categoryType };
}
