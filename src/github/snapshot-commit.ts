import { StateConflictError } from '../errors/index.js';
import type { GitHubPort } from './github-port.js';

export interface SnapshotCommitRequest {
  readonly branch: string;
  /** The commit the apply planned from: the snapshot commit's parent unless the branch moved. */
  readonly expectedParent: string;
  /** The snapshot's path from the repository root, with `/`. */
  readonly path: string;
  readonly content: string;
  readonly message: string;
  /** The groups folder from the repository root: reported when a moved branch also changed it. */
  readonly groupsPath?: string;
}

export interface SnapshotCommitResult {
  readonly sha: string;
  readonly parent: string;
  /** Set when the branch had moved and the commit was re-planned on top of the new head. */
  readonly moved?: { readonly from: string; readonly to: string; readonly groupsChanged: boolean };
}

/**
 * Commits the snapshot through the git data API on top of the expected parent and moves the branch
 * without force, so GitHub itself refuses when the branch moved (never an overwrite).
 *
 * When the branch moved, the commit is re-planned once on the new head, but only if the new head
 * still has the snapshot the apply started from (the other commits changed something else, e.g. a
 * README or group files whose own apply run is queued behind this one). A changed snapshot means
 * another apply won: that, or a second move, throws StateConflictError.
 */
export async function commitSnapshot(github: GitHubPort, req: SnapshotCommitRequest): Promise<SnapshotCommitResult> {
  const blob = await github.createBlob(req.content);
  const head = await github.branchHead(req.branch);
  if (head === req.expectedParent) {
    const sha = await tryCommit(github, req, blob, head);
    if (sha) return { sha, parent: head };
  }
  const moved = await github.branchHead(req.branch);
  const [before, after] = await Promise.all([github.pathSha(req.expectedParent, req.path), github.pathSha(moved, req.path)]);
  if (before !== after) {
    throw new StateConflictError(
      `the branch ${req.branch} moved from ${short(req.expectedParent)} to ${short(moved)} and its snapshot ${req.path} changed too (another apply committed); ` +
        'refusing to overwrite it. The batches this run sent are in its log and job summary; re-run the workflow to re-plan from the branch as it is now.',
    );
  }
  const groupsChanged = req.groupsPath === undefined ? false : (await github.pathSha(req.expectedParent, req.groupsPath)) !== (await github.pathSha(moved, req.groupsPath));
  const sha = await tryCommit(github, req, blob, moved);
  if (!sha) {
    throw new StateConflictError(
      `the branch ${req.branch} moved again while the snapshot was being committed (it was retried once on ${short(moved)}); ` +
        'refusing to overwrite it. Re-run the workflow to re-plan from the branch as it is now.',
    );
  }
  return { sha, parent: moved, moved: { from: req.expectedParent, to: moved, groupsChanged } };
}

/** Commits on `parent` and fast-forwards the branch; undefined when GitHub refuses the fast-forward. */
async function tryCommit(github: GitHubPort, req: SnapshotCommitRequest, blob: string, parent: string): Promise<string | undefined> {
  const sha = await github.createCommit({ parent, path: req.path, blob, message: req.message });
  return (await github.fastForward(req.branch, sha)) ? sha : undefined;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
