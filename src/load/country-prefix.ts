import type { SourceIssue } from '../errors/index.js';
import type { LoadedGroup, LoadedMember } from './group-file.js';

/** Warnings listed per group before the rest are only counted. */
const MAX_WARNINGS_PER_GROUP = 20;

const PREFIXES = ['+86', '0086'] as const;

/** The number without China's country prefix, or undefined when it has none. */
function withoutPrefix(phone: string): string | undefined {
  for (const p of PREFIXES) if (phone.startsWith(p) && phone.length > p.length) return phone.slice(p.length);
  return undefined;
}

/**
 * Warnings (not errors: both spellings are valid phone numbers) for members of one group whose
 * phone numbers differ only by a +86 or 0086 country prefix, e.g. "13800000001" and
 * "+8613800000001": probably one person listed twice, whom the platform may or may not match as one.
 * Costs one prefix test per phone identity; only the prefixed numbers are kept while looking.
 */
export function countryPrefixWarnings(groups: readonly LoadedGroup[]): SourceIssue[] {
  const warnings: SourceIssue[] = [];
  for (const g of groups) {
    let found = warningsOf.get(g);
    if (!found) warningsOf.set(g, (found = groupWarnings(g)));
    warnings.push(...found);
  }
  return warnings;
}

/**
 * Each group's warnings, kept with the group: `plan --watch` hands back the very same LoadedGroup for
 * a file that did not change, so a re-plan looks at the edited group only (a group is never changed once read).
 */
const warningsOf = new WeakMap<LoadedGroup, SourceIssue[]>();

function groupWarnings(g: LoadedGroup): SourceIssue[] {
  const warnings: SourceIssue[] = [];
  // The prefixed numbers of the group, by the number without the prefix.
  const prefixed = new Map<string, Seen[]>();
  for (const m of g.members) {
    for (const id of m.member.identities) {
      if (id.type !== 'phone') continue;
      const bare = withoutPrefix(id.value);
      if (bare === undefined) continue;
      const list = prefixed.get(bare);
      if (list) list.push({ value: id.value, member: m });
      else prefixed.set(bare, [{ value: id.value, member: m }]);
    }
  }
  if (prefixed.size === 0) return warnings;
  let found = 0;
  const warn = (later: Seen, earlier: Seen): void => {
    if (later.member === earlier.member || later.value === earlier.value) return;
    found++;
    if (found > MAX_WARNINGS_PER_GROUP) return;
    const [first, second] = order(earlier, later);
    const message = `phone "${second.value}" and phone "${first.value}" (${placeOf(g, first.member, second.member)}) differ only by the country prefix, so they are probably one person listed twice in group "${g.group.name}": keep one of them`;
    warnings.push({ file: second.member.file ?? g.file, line: second.member.line, column: 1, message, sensitive: [first.value, second.value] });
  };
  for (const m of g.members) {
    for (const id of m.member.identities) {
      if (id.type !== 'phone') continue;
      const same = prefixed.get(id.value);
      if (same) for (const p of same) warn(p, { value: id.value, member: m });
    }
  }
  for (const list of prefixed.values()) for (let i = 1; i < list.length; i++) for (let j = 0; j < i; j++) warn(list[i]!, list[j]!);
  if (found > MAX_WARNINGS_PER_GROUP) {
    warnings.push({
      file: g.file,
      line: g.nameLine,
      column: 1,
      message: `… and ${found - MAX_WARNINGS_PER_GROUP} more phone numbers of group "${g.group.name}" that differ from another only by the country prefix`,
    });
  }
  return warnings;
}

interface Seen {
  readonly value: string;
  readonly member: LoadedMember;
}

/** The two in the order they are written (file, then line), so the warning sits at the later one. */
function order(a: Seen, b: Seen): [Seen, Seen] {
  const fa = a.member.file ?? '';
  const fb = b.member.file ?? '';
  if (fa !== fb) return fa < fb ? [a, b] : [b, a];
  return a.member.line <= b.member.line ? [a, b] : [b, a];
}

/** Where member `m` is, seen from member `from`: `line N` in the same file, else `file:N`. */
function placeOf(g: LoadedGroup, m: LoadedMember, from: LoadedMember): string {
  const file = m.file ?? g.file;
  return file === (from.file ?? g.file) ? `line ${m.line}` : `${file}:${m.line}`;
}
