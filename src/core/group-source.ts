import { createHash, type Hash } from 'node:crypto';

/**
 * What ties a group in the snapshot to the files it was applied from, so that a plan can take an
 * unchanged group from the snapshot without reading its file again (see docs/snapshot.md, "Sources").
 *
 * An apply (or adopt) that leaves a group exactly as its files declare records, for that group, the
 * files (the group file, then its member lists) and one digest: SHA-256 over the inputs (the files'
 * paths and bytes, and the settings that read them: groupops's version, the groups folder, the
 * whole config) and then the group's first line and member lines exactly as the snapshot writes them. A plan that
 * computes the same digest from the files as they are now and the member lines as they are now
 * knows, without parsing either, that the group's desired members are its applied members: any
 * edit of a file, of the config, of the snapshot's lines (by hand, by a merge, by a folded
 * journal) or another groupops version gives another digest, and the file is read as usual.
 */

/** A file a group was read from: its path (relative to the repository root, with `/`) and the SHA-256 of its bytes. */
export interface InputFile {
  readonly path: string;
  readonly sha256: string;
}

/** A group's inputs as an apply read them: the files, and the digest of them and of the settings. */
export interface GroupInputs {
  readonly files: readonly string[];
  /** inputsDigest of the files and the settings that read them. */
  readonly inputs: string;
}

/** A group's source as the snapshot records it. */
export interface GroupSource {
  readonly files: readonly string[];
  /** SHA-256 over the inputs digest and the group's lines (sourceHash). */
  readonly digest: string;
}

/** Changes when what the digest covers changes, so that a digest of another layout never matches by accident. */
const SOURCE_VERSION = 'groupops group source 2';

/** The SHA-256 of some bytes, in hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The digest of a group's input files and of the settings (`context`) that read them; each part framed by its length. */
export function inputsDigest(context: string, files: readonly InputFile[]): string {
  const hash = createHash('sha256').update(`${SOURCE_VERSION}\n${context.length}:${context}\n`);
  for (const f of files) hash.update(`${f.path.length}:${f.path} ${f.sha256}\n`);
  return hash.digest('hex');
}

/** The hash a group's source digest is taken with: started with its inputs digest, then fed its first line and member lines as written. */
export function sourceHash(inputs: string): Hash {
  return createHash('sha256').update(`${inputs}\n`);
}
