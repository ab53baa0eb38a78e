import { diffArrays } from 'diff';
import type { Identity, Member } from './model.js';

/** What happened to one identity of a member whose key stayed the same. */
export type IdentityChangeKind = 'added' | 'removed' | 'value changed' | 'platform changed' | 'appid changed' | 'WeChat ecosystem changed' | 'moved';

export interface IdentityChange {
  readonly kind: IdentityChangeKind;
  /** The identity type, e.g. `unionid`. */
  readonly type: string;
}

/** One line of a member's identity diff: unchanged (` `), as applied (`-`) or as desired (`+`). */
export interface IdentityDiffLine {
  readonly sign: ' ' | '-' | '+';
  readonly identity: Identity;
  /** On a `+` line (or a `-` line of a removed identity): what changed, e.g. `value changed`. */
  readonly note?: IdentityChangeKind;
}

/**
 * The identities of a member as applied and as desired, as a line diff made with `diff` (one line
 * per identity, compared field by field, unmasked), with each change named. A removed and an added
 * identity in the same place are one change: the same identity (it moved), the same type and value
 * (its platform, appid or WeChat flag changed) or the same type (its value changed). So a reader who
 * sees only masked values (139****0000 before and after) still learns which identity changed and how.
 */
export function diffIdentities(before: Member, after: Member): { lines: IdentityDiffLine[]; changes: IdentityChange[] } {
  const lines: { sign: ' ' | '-' | '+'; identity: Identity; note?: IdentityChangeKind }[] = [];
  for (const part of diffArrays([...before.identities], [...after.identities], { comparator: sameIdentity })) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    for (const identity of part.value) lines.push({ sign, identity });
  }
  const removed = lines.filter((l) => l.sign === '-');
  const added = lines.filter((l) => l.sign === '+');
  const paired = new Set<object>();
  const pairBy = (match: (a: Identity, b: Identity) => IdentityChangeKind | undefined): void => {
    for (const plus of added) {
      if (paired.has(plus)) continue;
      for (const minus of removed) {
        if (paired.has(minus)) continue;
        const kind = match(minus.identity, plus.identity);
        if (kind === undefined) continue;
        plus.note = kind;
        paired.add(plus).add(minus);
        break;
      }
    }
  };
  pairBy((a, b) => (sameIdentity(a, b) ? 'moved' : undefined));
  pairBy((a, b) => (a.type === b.type && a.value === b.value ? detailChanged(a, b) : undefined));
  pairBy((a, b) => (a.type === b.type ? 'value changed' : undefined));
  for (const l of lines) if (l.sign !== ' ' && !paired.has(l)) l.note = l.sign === '-' ? 'removed' : 'added';
  const changes = lines.flatMap((l) => (l.note ? [{ kind: l.note, type: l.identity.type }] : []));
  return { lines, changes };
}

/** `unionid value changed, wxid added`: a member's identity changes in a few words. */
export function describeIdentityChanges(changes: readonly IdentityChange[]): string {
  return changes.map((c) => `${c.type} ${c.kind}`).join(', ');
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.type === b.type && a.value === b.value && a.platform === b.platform && a.appid === b.appid && a.isWeChatEcosystem === b.isWeChatEcosystem;
}

function detailChanged(a: Identity, b: Identity): IdentityChangeKind {
  if (a.platform !== b.platform) return 'platform changed';
  if (a.appid !== b.appid) return 'appid changed';
  return 'WeChat ecosystem changed';
}
