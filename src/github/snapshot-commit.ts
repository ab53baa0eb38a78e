import { StateConflictError } from '../errors/index.js';
import type { RepoRef } from './actions-context.js';
import { githubCall, githubMessage, statusOf, toGitHubError } from './github-error.js';
import type { Octokit } from './octokit.js';

export interface SnapshotCommitRequest extends RepoRef {
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
 * with `force: false`, so GitHub itself refuses when the branch moved (never an overwrite).
 *
 * When the branch moved, the commit is re-planned once on the new head, but only if the new head
 * still has the snapshot the apply started from (the other commits changed something else, e.g. a
 * README or group files whose own apply run is queued behind this one). A changed snapshot means
 * another apply won: that, or a second move, throws StateConflictError.
 */
export async function commitSnapshot(octokit: Octokit, req: SnapshotCommitRequest): Promise<SnapshotCommitResult> {
  const blob = await githubCall('upload the snapshot', () =>
    octokit.rest.git.createBlob({ owner: req.owner, repo: req.repo, content: req.content, encoding: 'utf-8' }),
  );
  const head = await branchHead(octokit, req);
  if (head === req.expectedParent) {
    const sha = await tryCommit(octokit, req, blob.data.sha, head);
    if (sha) return { sha, parent: head };
  }
  const moved = await branchHead(octokit, req);
  const [before, after] = await Promise.all([pathSha(octokit, req, req.expectedParent, req.path), pathSha(octokit, req, moved, req.path)]);
  if (before !== after) {
    throw new StateConflictError(
      `the branch ${req.branch} moved from ${short(req.expectedParent)} to ${short(moved)} and its snapshot ${req.path} changed too (another apply committed); ` +
        'refusing to overwrite it. The batches this run sent are in its log and job summary; re-run the workflow to re-plan from the branch as it is now.',
    );
  }
  const groupsChanged = req.groupsPath === undefined ? false : (await pathSha(octokit, req, req.expectedParent, req.groupsPath)) !== (await pathSha(octokit, req, moved, req.groupsPath));
  const sha = await tryCommit(octokit, req, blob.data.sha, moved);
  if (!sha) {
    throw new StateConflictError(
      `the branch ${req.branch} moved again while the snapshot was being committed (it was retried once on ${short(moved)}); ` +
        'refusing to overwrite it. Re-run the workflow to re-plan from the branch as it is now.',
    );
  }
  return { sha, parent: moved, moved: { from: req.expectedParent, to: moved, groupsChanged } };
}

/** The branch's head commit. */
async function branchHead(octokit: Octokit, req: RepoRef & { branch: string }): Promise<string> {
  const ref = await githubCall(`read the branch ${req.branch}`, () => octokit.rest.git.getRef({ owner: req.owner, repo: req.repo, ref: `heads/${req.branch}` }));
  return ref.data.object.sha;
}

/**
 * The git object ID of a file or folder at a commit, walking the trees one folder at a time;
 * undefined when the path does not exist there.
 */
export async function pathSha(octokit: Octokit, repo: RepoRef, commit: string, path: string): Promise<string | undefined> {
  const c = await githubCall(`read commit ${short(commit)}`, () => octokit.rest.git.getCommit({ owner: repo.owner, repo: repo.repo, commit_sha: commit }));
  let sha: string | undefined = c.data.tree.sha;
  for (const segment of path.split('/').filter((s) => s !== '' && s !== '.')) {
    const tree = await githubCall(`read a tree of ${short(commit)}`, () => octokit.rest.git.getTree({ owner: repo.owner, repo: repo.repo, tree_sha: sha! }));
    sha = tree.data.tree.find((e) => e.path === segment)?.sha;
    if (sha === undefined) return undefined;
  }
  return sha;
}

/** Creates tree and commit on `parent` and fast-forwards the branch; undefined when GitHub refuses the fast-forward. */
async function tryCommit(octokit: Octokit, req: SnapshotCommitRequest, blobSha: string, parent: string): Promise<string | undefined> {
  const { owner, repo } = req;
  const parentCommit = await githubCall(`read commit ${short(parent)}`, () => octokit.rest.git.getCommit({ owner, repo, commit_sha: parent }));
  const tree = await githubCall('create the snapshot tree', () =>
    octokit.rest.git.createTree({ owner, repo, base_tree: parentCommit.data.tree.sha, tree: [{ path: req.path, mode: '100644', type: 'blob', sha: blobSha }] }),
  );
  const commit = await githubCall('create the snapshot commit', () =>
    octokit.rest.git.createCommit({ owner, repo, message: req.message, tree: tree.data.sha, parents: [parent] }),
  );
  try {
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${req.branch}`, sha: commit.data.sha, force: false });
    return commit.data.sha;
  } catch (err) {
    // GitHub answers 422 "Update is not a fast forward" when the branch moved; other 422s are errors.
    if (statusOf(err) === 422 && /fast.forward/i.test(githubMessage(err) ?? String((err as Error).message ?? ''))) return undefined;
    throw toGitHubError(`move the branch ${req.branch} to the snapshot commit`, err);
  }
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
