import type { RepoRef } from './actions-context.js';

/** A comment on an issue or PR, as the sticky comment logic needs it. */
export interface IssueComment {
  readonly id: number;
  readonly body: string | undefined;
  readonly url: string;
  /** True for a bot's comment (github-actions[bot], a GitHub App): only those are ever taken over. */
  readonly byBot: boolean;
}

/** A comment as written: its ID and page. */
export interface CommentRef {
  readonly id: number;
  readonly url: string;
}

/** A PR associated with a commit. */
export interface PullOfCommit {
  readonly number: number;
  readonly url: string;
  readonly merged: boolean;
  /** The branch it was (or would be) merged into. */
  readonly baseRef: string;
}

/**
 * The handful of GitHub calls the github/ flows make, for one repository (release-please's `Scm`).
 * The octokit adapter (octokit-port.ts) is the real one; tests of the flows' logic pass an in-memory
 * one. Every failure is a GitHubApiError (translated once, in the adapter) whose `status` the flows
 * may read: 403/404 on a write is how GitHub says "this token may not".
 */
export interface GitHubPort {
  readonly repo: RepoRef;
  /** The repository's default branch. */
  defaultBranch(): Promise<string>;
  /** The commit a branch points at. */
  branchHead(branch: string): Promise<string>;
  /** The git object ID of a file or folder at a commit; undefined when the path does not exist there. */
  pathSha(commit: string, path: string): Promise<string | undefined>;
  /** Stores a file's content; returns its blob ID. Needs `contents: write`. */
  createBlob(content: string): Promise<string>;
  /** A new commit whose parent is `parent` and whose tree is the parent's with `path` set to the blob. */
  createCommit(input: { readonly parent: string; readonly path: string; readonly blob: string; readonly message: string }): Promise<string>;
  /** Moves the branch to `sha`, never forced; false when GitHub refuses because it is not a fast-forward (the branch moved). */
  fastForward(branch: string, sha: string): Promise<boolean>;
  /** Every comment of an issue or PR, all pages, oldest first. */
  listComments(issue: number): Promise<readonly IssueComment[]>;
  createComment(issue: number, body: string): Promise<CommentRef>;
  updateComment(id: number, body: string): Promise<CommentRef>;
  /** The PRs a commit belongs to. */
  pullsOfCommit(sha: string): Promise<readonly PullOfCommit[]>;
}
