import { memberKey, type Identity } from '../core/model.js';
import type { SourceIssue } from '../errors/index.js';
import type { GroupFileResult, LoadedGroup, LoadedMember, MemberFileRef } from './group-file.js';

/**
 * A group-file result in a form that crosses a worker boundary cheaply: a million members as a
 * few flat arrays (one string array, three typed arrays) instead of a million small objects.
 */
export type EncodedResult =
  // Issues cross as they are (structured clone), with the identity values they quote listed in `sensitive`.
  | { ok: false; issues: SourceIssue[] }
  | {
      ok: true;
      group: Omit<LoadedGroup, 'members'>;
      /** Per identity: type, value, then platform and appid when present, concatenated (one string copies fast). */
      text: string;
      /** The length of each string in `text`. */
      lengths: Int32Array;
      /** Per identity: bit 0 platform, 1 appid, 2 isWeChatEcosystem present, 3 its value, 4 last identity of its member. */
      shapes: Uint8Array;
      /** Per member: its line. */
      lines: Int32Array;
      /** Per member: 0 for the group file, i for `sources[i - 1]` (a member-list file). */
      sources: Int32Array;
      sourceFiles: string[];
    };

/** Encodes a result for postMessage; the typed arrays' buffers can be transferred. */
export function encodeResult(result: GroupFileResult): EncodedResult {
  if (!result.ok) return result;
  const { members, ...group } = result.group;
  const strings: string[] = [];
  let identityCount = 0;
  for (const m of members) identityCount += m.member.identities.length;
  const shapes = new Uint8Array(identityCount);
  const lines = new Int32Array(members.length);
  const sources = new Int32Array(members.length);
  const sourceFiles: string[] = [];
  let s = 0;
  members.forEach((m, i) => {
    lines[i] = m.line;
    if (m.file !== undefined) {
      let at = sourceFiles.indexOf(m.file);
      if (at === -1) at = sourceFiles.push(m.file) - 1;
      sources[i] = at + 1;
    }
    const ids = m.member.identities;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      strings.push(id.type, id.value);
      let shape = k === ids.length - 1 ? 16 : 0;
      if (id.platform !== undefined) {
        strings.push(id.platform);
        shape |= 1;
      }
      if (id.appid !== undefined) {
        strings.push(id.appid);
        shape |= 2;
      }
      if (id.isWeChatEcosystem !== undefined) shape |= id.isWeChatEcosystem ? 12 : 4;
      shapes[s++] = shape;
    }
  });
  return { ok: true, group, text: strings.join(''), lengths: Int32Array.from(strings, (x) => x.length), shapes, lines, sources, sourceFiles };
}

/** The buffers of an encoded result, to transfer rather than copy. */
export function transferablesOf(result: EncodedResult): ArrayBuffer[] {
  return result.ok ? [result.lengths.buffer as ArrayBuffer, result.shapes.buffer as ArrayBuffer, result.lines.buffer as ArrayBuffer, result.sources.buffer as ArrayBuffer] : [];
}

// Identity types, platforms and appids repeat across a tenant: one string each instead of a million copies.
const interned = new Map<string, string>();
function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size < 100_000) interned.set(s, s);
  return s;
}

/** Rebuilds the result that was encoded. */
export function decodeResult(encoded: EncodedResult): GroupFileResult {
  if (!encoded.ok) return encoded;
  const { text, lengths, shapes, lines, sources, sourceFiles } = encoded;
  const members: LoadedMember[] = new Array(lines.length);
  let p = 0;
  let s = 0;
  let at = 0;
  const next = (): string => {
    const len = lengths[p++]!;
    at += len;
    return text.slice(at - len, at);
  };
  for (let i = 0; i < lines.length; i++) {
    // Sized exactly: an array grown by push keeps room for 16 identities per member.
    let count = 1;
    while ((shapes[s + count - 1]! & 16) === 0) count++;
    const identities: Identity[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const shape = shapes[s++]!;
      const id: { -readonly [K in keyof Identity]: Identity[K] } = { type: intern(next()), value: next() };
      if (shape & 1) id.platform = intern(next());
      if (shape & 2) id.appid = intern(next());
      if (shape & 4) id.isWeChatEcosystem = (shape & 8) !== 0;
      identities[k] = id;
    }
    const member = { identities };
    const source = sources[i]!;
    members[i] = source === 0 ? { key: memberKey(member), member, line: lines[i]! } : { key: memberKey(member), member, line: lines[i]!, file: sourceFiles[source - 1]! };
  }
  const group: LoadedGroup = { ...encoded.group, members };
  return { ok: true, group };
}

export type { MemberFileRef };
