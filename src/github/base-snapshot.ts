import { createHash } from 'node:crypto';
import type { GitHubPort } from './github-port.js';

/** The git object ID of a file's bytes (its blob), as the GitHub API gives a file's `sha`. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * True when the snapshot checked out (`bytes`) is the very file on the pull request's base branch:
 * the one the apply on merge wrote, not one the PR edited. Only then may the PR's plan trust the
 * groups' recorded sources (docs/snapshot.md, "Sources"): a PR can write a source that hides its
 * own change from the plan (the apply on merge reads every file, and refuses such a source). Any
 * doubt (no snapshot, an API error, a base that moved) is false: the plan then reads every file.
 */
export async function snapshotIsBase(github: GitHubPort, baseRef: string, path: string, bytes: Uint8Array | undefined): Promise<boolean> {
  if (bytes === undefined) return false;
  try {
    const base = await github.branchHead(baseRef);
    return (await github.pathSha(base, path)) === gitBlobSha(bytes);
  } catch {
    return false;
  }
}
