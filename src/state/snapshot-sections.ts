import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { GroupSource } from '../core/group-source.js';
import type { GroupRef, Member } from '../core/model.js';
import type { FileSystem } from './file-system.js';
import { journalPath } from './journal.js';
import { asBuffer, ByteLines, CLOSE_MARK, readCloseLine, readGroupLine, readGroupsOpen, readHead, readMemberLines, type SnapshotHead } from './snapshot-lines.js';

/** What every group's last line with a source holds (JSON text holds no raw line feed). */
const SOURCE_MARK = Buffer.from('\n    ],"source":');

/** A group of a canonical snapshot, its member lines not parsed yet. */
export interface SnapshotSection {
  readonly key: string;
  readonly group: GroupRef;
  readonly source?: GroupSource;
  /** The group's first line and its member lines, each with its line feed: bytes of the snapshot file, exactly as written. */
  readonly lines: Uint8Array;
  /** Where the member lines start in `lines` (after the first line). */
  readonly membersAt: number;
}

/** A snapshot file read as far as its groups' first and last lines. */
export interface SnapshotSections {
  readonly head: SnapshotHead;
  readonly sections: readonly SnapshotSection[];
  /** snapshotDigest of the file's text. */
  readonly digest: string;
}

/**
 * Reads a snapshot in the layout groupops writes as far as each group's first and last line (its
 * source), leaving the member lines between them as bytes, for a plan that may not need them (see
 * core/group-source.ts). Undefined whenever the plan should read the snapshot as usual: no
 * snapshot, one that cannot be read, an apply journal beside it (folded in by the usual reader), no
 * group with a source, or anything but the canonical layout (whose problems the usual reader reports).
 */
export async function readSnapshotSections(fs: FileSystem, path: string): Promise<SnapshotSections | undefined> {
  const read = await readSnapshotBytes(fs, path);
  return read?.bytes && sectionsOf(read.bytes);
}

/**
 * The snapshot file's bytes for a plan, read once for both readers (undefined bytes: no file);
 * undefined when it cannot be read (the usual reader reports why, after the group files' problems,
 * as before sources existed) or an apply journal lies beside it (the usual reader folds it in).
 */
export async function readSnapshotBytes(fs: FileSystem, path: string): Promise<{ readonly bytes: Uint8Array | undefined } | undefined> {
  try {
    if ((await fs.stamp(journalPath(path))) !== undefined) return undefined;
    return { bytes: await fs.readFile(path) };
  } catch {
    return undefined;
  }
}

/** readSnapshotSections, for the snapshot's bytes. */
export function sectionsOf(read: Uint8Array): SnapshotSections | undefined {
  const bytes = asBuffer(read);
  // Most of the cost of a snapshot without sources is finding out: one search instead of a scan.
  if (bytes.indexOf(SOURCE_MARK) === -1 || !isUtf8(bytes) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return undefined;
  const scanned = scanSections(bytes);
  if (!scanned || !scanned.sections.some((s) => s.source)) return undefined;
  return { ...scanned, digest: createHash('sha256').update(bytes).digest('hex') };
}

/** The head and the groups of canonical snapshot bytes, member lines unread; undefined when not canonical. */
export function scanSections(bytes: Buffer): Omit<SnapshotSections, 'digest'> | undefined {
  const lines = new ByteLines(bytes);
  const head = readHead(lines);
  const open = head && readGroupsOpen(lines);
  if (!head || open === undefined) return undefined;
  const sections: SnapshotSection[] = [];
  const keys = new Set<string>();
  for (let more = open; more;) {
    const top = lines.position;
    const first = readGroupLine(lines.next());
    if (!first || keys.has(first.key)) return undefined;
    keys.add(first.key);
    const start = lines.position;
    // Member lines are indented deeper, and JSON text holds no raw line feed: the first line feed
    // followed by the last line's indent and bracket ends the members.
    const mark = bytes.indexOf(CLOSE_MARK, start - 1);
    if (mark === -1) return undefined;
    lines.seek(mark + 1);
    const last = readCloseLine(lines.next());
    if (!last) return undefined;
    sections.push({ key: first.key, group: first.group, ...(last.source ? { source: last.source } : {}), lines: bytes.subarray(top, mark + 1), membersAt: start - top });
    more = last.more;
    if (!more && lines.next() !== '  ]') return undefined;
  }
  return lines.next() === '}' && lines.atEnd() ? { head, sections } : undefined;
}

/** A section's members by key; undefined when a line is not canonical or not valid, or a member repeats. */
export function parseSection(section: SnapshotSection): Map<string, Member> | undefined {
  const members = new Map<string, Member>();
  return readMemberLines(new ByteLines(section.lines.subarray(section.membersAt)), members) === undefined ? members : undefined;
}

/** The number of member lines of a section. */
export function countMembers(section: SnapshotSection): number {
  const bytes = asBuffer(section.lines);
  let n = 0;
  for (let at = bytes.indexOf(10, section.membersAt); at !== -1; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}

/**
 * The members of a section whose source matched (so its lines are the ones groupops wrote): their
 * number is known, and they are parsed only if something asks for them. A plan never does (the
 * same object is the group's desired and applied members, which the diff takes as no change); any
 * other reader gets the members, parsed once.
 */
export class SectionMembers implements ReadonlyMap<string, Member> {
  #members: ReadonlyMap<string, Member> | undefined;

  constructor(
    private readonly section: SnapshotSection,
    readonly size: number,
  ) {}

  get #parsed(): ReadonlyMap<string, Member> {
    if (this.#members) return this.#members;
    const members = parseSection(this.section);
    if (!members || members.size !== this.size) throw new Error(`the snapshot's lines of group "${this.section.group.name}" changed while they were read`);
    return (this.#members = members);
  }

  get(key: string): Member | undefined {
    return this.#parsed.get(key);
  }

  has(key: string): boolean {
    return this.#parsed.has(key);
  }

  forEach(callback: (value: Member, key: string, map: ReadonlyMap<string, Member>) => void, thisArg?: unknown): void {
    this.#parsed.forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): MapIterator<[string, Member]> {
    return this.#parsed.entries();
  }

  keys(): MapIterator<string> {
    return this.#parsed.keys();
  }

  values(): MapIterator<Member> {
    return this.#parsed.values();
  }

  [Symbol.iterator](): MapIterator<[string, Member]> {
    return this.#parsed[Symbol.iterator]();
  }
}
