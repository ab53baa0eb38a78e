import type { GroupRef } from '../core/model.js';

/**
 * Hands out file paths (relative to the groups folder, with `/`) that no two files share, also on
 * file systems that ignore case or Unicode normalization (macOS, Windows): a later file whose path
 * is taken gets ` (2)`, ` (3)`, … before its extension.
 */
export class PathAllocator {
  private readonly taken = new Set<string>();

  /** `taken`: paths already in use. */
  constructor(taken: Iterable<string> = []) {
    for (const path of taken) this.taken.add(foldPath(path));
  }

  /** A free path for `stem` (folder and name without extension) plus `ext` (".yaml", ".csv"). */
  allocate(stem: string, ext: string): string {
    for (let n = 1; ; n++) {
      const path = `${stem}${n === 1 ? '' : ` (${n})`}${ext}`;
      const key = foldPath(path);
      if (this.taken.has(key)) continue;
      this.taken.add(key);
      return path;
    }
  }

  /** Whether `path` is already handed out. */
  has(path: string): boolean {
    return this.taken.has(foldPath(path));
  }
}

/** How a case- and normalization-insensitive file system compares paths. */
function foldPath(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/**
 * Where a group's file goes, without extension: enterprise groups at the top of the groups folder,
 * department groups under `departments/<field>-<id>/`, customer groups under `customers/`. The
 * group's name is the file name, made safe for every file system and never hidden (a leading `.`
 * or `_` would make the loader skip the file as a draft).
 */
export function groupFileStem(group: GroupRef): string {
  const name = safeSegment(group.name);
  if (group.kind === 'customer') return `customers/${name}`;
  if (group.department) return `departments/${safeSegment(`${group.department.field}-${group.department.value}`)}/${name}`;
  return name;
}

/** One path segment: no separator, reserved or control character, no hiding prefix, no Windows device name or trailing dot. */
export function safeSegment(text: string): string {
  let s = text.replace(/[/\\:*?"<>|\p{Cc}]/gu, '_').replace(/[. ]+$/u, (m) => '_'.repeat(m.length));
  if (s.startsWith('.') || s.startsWith('_')) s = `group ${s}`;
  if (/^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/i.test(s)) s = `${s}_`;
  return s === '' ? 'group' : s;
}
