import { createHash } from 'node:crypto';
import { GitHubApiError } from '../../src/github/github-error.js';
import type { CommentRef, GitHubPort, IssueComment, PullOfCommit } from '../../src/github/github-port.js';
import type { StepIo } from '../../src/github/step-io.js';

/** A comment as the in-memory GitHub keeps it. */
export interface MemoryComment {
  readonly id: number;
  readonly issue: number;
  body: string;
  readonly byBot: boolean;
  updates: number;
}

/** A commit: its parents, message and files (path -> content). */
export interface MemoryCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * The GitHub port in memory, for tests of the github/ flows' logic: comments, commits with their
 * files, branches and the PRs of commits, plus switches for what a token may not do and a hook that
 * moves a branch under a writer. Every call is logged; refusals are the GitHubApiErrors the octokit
 * adapter throws (test/github/*-contract tests check that adapter against the fake GitHub server).
 */
export class MemoryGitHub implements GitHubPort {
  readonly repo = { owner: 'acme', repo: 'groups' };
  readonly calls: string[] = [];
  readonly comments: MemoryComment[] = [];
  readonly commits = new Map<string, MemoryCommit>();
  readonly branches = new Map<string, string>();
  readonly pulls: { number: number; baseRef: string; commits: string[]; merged: boolean }[] = [];
  readonly blobs = new Map<string, string>();
  defaultBranchName = 'main';
  /** The status comment writes answer with (403: a fork PR's read-only token). */
  commentWritesFail: number | undefined;
  /** The status content writes (blobs, commits, branch moves) answer with (403: `contents: read`). */
  contentWritesFail: number | undefined;
  /** The status every call answers with (401: a bad token). */
  everythingFails: number | undefined;
  private nextId = 1;
  private refHook: (() => void) | undefined;

  /** Stores a commit with these files and returns its sha. */
  seed(files: Readonly<Record<string, string>>, parents: readonly string[] = [], message = 'seeded'): string {
    const sha = createHash('sha1')
      .update(`${this.nextId++}${JSON.stringify([files, parents, message])}`)
      .digest('hex');
    this.commits.set(sha, { sha, parents, message, files: new Map(Object.entries(files)) });
    return sha;
  }

  /** Runs once, just before the next branch move is checked. */
  beforeNextMove(hook: () => void): void {
    this.refHook = hook;
  }

  commentsOf(issue: number): MemoryComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  async defaultBranch(): Promise<string> {
    this.call('defaultBranch');
    return this.defaultBranchName;
  }

  async branchHead(branch: string): Promise<string> {
    this.call(`branchHead ${branch}`);
    const sha = this.branches.get(branch);
    if (!sha) throw new GitHubApiError(`read the branch ${branch}`, 404, 'Not Found');
    return sha;
  }

  async pathSha(commit: string, path: string): Promise<string | undefined> {
    this.call(`pathSha ${commit.slice(0, 7)} ${path}`);
    const files = this.commitOf(commit).files;
    const file = files.get(path);
    if (file !== undefined) return blobSha(file);
    const inside = [...files].filter(([p]) => p.startsWith(`${path}/`)).sort(([a], [b]) => (a < b ? -1 : 1));
    return inside.length === 0 ? undefined : createHash('sha1').update(JSON.stringify(inside)).digest('hex');
  }

  async createBlob(content: string): Promise<string> {
    this.call('createBlob');
    this.refuseContentWrite('upload the snapshot');
    const sha = blobSha(content);
    this.blobs.set(sha, content);
    return sha;
  }

  async createCommit(input: { parent: string; path: string; blob: string; message: string }): Promise<string> {
    this.call(`createCommit on ${input.parent.slice(0, 7)}`);
    this.refuseContentWrite('create the snapshot commit');
    const content = this.blobs.get(input.blob);
    if (content === undefined) throw new GitHubApiError('create the snapshot tree', 422, `tree.sha ${input.blob} is not a valid blob`);
    const files = new Map(this.commitOf(input.parent).files);
    files.set(input.path, content);
    const sha = createHash('sha1').update(`${this.nextId++}${input.parent}${input.message}`).digest('hex');
    this.commits.set(sha, { sha, parents: [input.parent], message: input.message, files });
    return sha;
  }

  async fastForward(branch: string, sha: string): Promise<boolean> {
    this.call(`fastForward ${branch}`);
    this.refuseContentWrite(`move the branch ${branch}`);
    const hook = this.refHook;
    this.refHook = undefined;
    hook?.();
    const current = this.branches.get(branch);
    if (!current || !this.isAncestor(current, sha)) return false;
    this.branches.set(branch, sha);
    return true;
  }

  async listComments(issue: number): Promise<readonly IssueComment[]> {
    this.call(`listComments ${issue}`);
    return this.commentsOf(issue).map((c) => ({ id: c.id, body: c.body, url: this.url(c), byBot: c.byBot }));
  }

  async createComment(issue: number, body: string): Promise<CommentRef> {
    this.call(`createComment ${issue}`);
    this.refuseCommentWrite();
    const c: MemoryComment = { id: this.nextId++, issue, body, byBot: true, updates: 0 };
    this.comments.push(c);
    return { id: c.id, url: this.url(c) };
  }

  async updateComment(id: number, body: string): Promise<CommentRef> {
    this.call(`updateComment ${id}`);
    this.refuseCommentWrite();
    const c = this.comments.find((x) => x.id === id);
    if (!c) throw new GitHubApiError('update the groupops comment', 404, 'Not Found');
    c.body = body;
    c.updates++;
    return { id: c.id, url: this.url(c) };
  }

  async pullsOfCommit(sha: string): Promise<readonly PullOfCommit[]> {
    this.call(`pullsOfCommit ${sha.slice(0, 7)}`);
    return this.pulls.filter((p) => p.commits.includes(sha)).map((p) => ({ number: p.number, url: `https://github.test/acme/groups/pull/${p.number}`, merged: p.merged, baseRef: p.baseRef }));
  }

  /** A file's content at a commit. */
  fileAt(commit: string, path: string): string | undefined {
    return this.commits.get(commit)?.files.get(path);
  }

  private call(what: string): void {
    this.calls.push(what);
    if (this.everythingFails !== undefined) throw new GitHubApiError(what, this.everythingFails, 'Bad credentials');
  }

  private refuseCommentWrite(): void {
    if (this.commentWritesFail !== undefined) throw new GitHubApiError('write the groupops comment', this.commentWritesFail, 'Resource not accessible by integration');
  }

  private refuseContentWrite(action: string): void {
    if (this.contentWritesFail !== undefined) throw new GitHubApiError(action, this.contentWritesFail, 'Resource not accessible by integration');
  }

  private commitOf(sha: string): MemoryCommit {
    const c = this.commits.get(sha);
    if (!c) throw new GitHubApiError(`read commit ${sha.slice(0, 7)}`, 404, 'Not Found');
    return c;
  }

  private isAncestor(ancestor: string, of: string): boolean {
    const queue = [of];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const sha = queue.shift()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  private url(c: MemoryComment): string {
    return `https://github.test/acme/groups/issues/${c.issue}#issuecomment-${c.id}`;
  }
}

/** Step I/O in memory: the log lines, the job summary (when there is one) and the files written. */
export class MemoryStep implements StepIo {
  readonly lines: string[] = [];
  summary: string | undefined = '';
  readonly files = new Map<string, string>();

  out(line: string): void {
    this.lines.push(line);
  }

  async appendSummary(markdown: string): Promise<boolean> {
    if (this.summary === undefined) return false;
    this.summary += markdown.endsWith('\n') ? markdown : `${markdown}\n`;
    return true;
  }

  async writeFile(name: string, chunks: Iterable<string | Uint8Array>): Promise<string> {
    const path = `/runner/temp/${name}`;
    this.files.set(path, Buffer.concat([...chunks].map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('utf8'));
    return path;
  }

  get log(): string {
    return this.lines.join('\n');
  }
}

function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
