import type { RepoRef } from './actions-context.js';
import { githubCall, githubMessage, statusOf, toGitHubError } from './github-error.js';
import type { CommentRef, GitHubPort, IssueComment } from './github-port.js';
import type { Octokit } from './octokit.js';

/**
 * The GitHub port on octokit, for one repository: each call names what it does, and whatever octokit
 * throws is translated here, once, into a GitHubApiError (never with the request's headers, so the
 * token cannot leak through it).
 */
export function octokitPort(octokit: Octokit, repo: RepoRef): GitHubPort {
  const { owner, repo: name } = repo;
  const base = { owner, repo: name };
  const commentRef = (data: { id: number; html_url: string }): CommentRef => ({ id: data.id, url: data.html_url });
  return {
    repo,
    async defaultBranch() {
      const res = await githubCall('read the repository', () => octokit.rest.repos.get(base));
      return res.data.default_branch;
    },
    async branchHead(branch) {
      const ref = await githubCall(`read the branch ${branch}`, () => octokit.rest.git.getRef({ ...base, ref: `heads/${branch}` }));
      return ref.data.object.sha;
    },
    async pathSha(commit, path) {
      const c = await githubCall(`read commit ${short(commit)}`, () => octokit.rest.git.getCommit({ ...base, commit_sha: commit }));
      let sha: string | undefined = c.data.tree.sha;
      // One folder at a time: a recursive tree of a large repository may come back truncated.
      for (const segment of path.split('/').filter((s) => s !== '' && s !== '.')) {
        const tree = await githubCall(`read a tree of ${short(commit)}`, () => octokit.rest.git.getTree({ ...base, tree_sha: sha! }));
        sha = tree.data.tree.find((e) => e.path === segment)?.sha;
        if (sha === undefined) return undefined;
      }
      return sha;
    },
    async createBlob(content) {
      const blob = await githubCall('upload the snapshot', () => octokit.rest.git.createBlob({ ...base, content, encoding: 'utf-8' }));
      return blob.data.sha;
    },
    async createCommit({ parent, path, blob, message }) {
      const parentCommit = await githubCall(`read commit ${short(parent)}`, () => octokit.rest.git.getCommit({ ...base, commit_sha: parent }));
      const tree = await githubCall('create the snapshot tree', () =>
        octokit.rest.git.createTree({ ...base, base_tree: parentCommit.data.tree.sha, tree: [{ path, mode: '100644', type: 'blob', sha: blob }] }),
      );
      const commit = await githubCall('create the snapshot commit', () => octokit.rest.git.createCommit({ ...base, message, tree: tree.data.sha, parents: [parent] }));
      return commit.data.sha;
    },
    async fastForward(branch, sha) {
      try {
        await octokit.rest.git.updateRef({ ...base, ref: `heads/${branch}`, sha, force: false });
        return true;
      } catch (err) {
        // GitHub answers 422 "Update is not a fast forward" when the branch moved; other 422s are errors.
        if (statusOf(err) === 422 && /fast.forward/i.test(githubMessage(err) ?? String((err as Error).message ?? ''))) return false;
        throw toGitHubError(`move the branch ${branch} to the snapshot commit`, err);
      }
    },
    async listComments(issue) {
      const comments = await githubCall(`list the comments of #${issue}`, () => octokit.paginate(octokit.rest.issues.listComments, { ...base, issue_number: issue, per_page: 100 }));
      return comments.map((c): IssueComment => ({ id: c.id, body: typeof c.body === 'string' ? c.body : undefined, url: c.html_url, byBot: c.user?.type === 'Bot' }));
    },
    async createComment(issue, body) {
      const res = await githubCall(`create the groupops comment on #${issue}`, () => octokit.rest.issues.createComment({ ...base, issue_number: issue, body }));
      return commentRef(res.data);
    },
    async updateComment(id, body) {
      const res = await githubCall('update the groupops comment', () => octokit.rest.issues.updateComment({ ...base, comment_id: id, body }));
      return commentRef(res.data);
    },
    async pullsOfCommit(sha) {
      const res = await githubCall(`find the PR of commit ${short(sha)}`, () => octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: sha }));
      return res.data.map((pr) => ({ number: pr.number, url: pr.html_url, merged: Boolean(pr.merged_at), baseRef: pr.base.ref }));
    },
  };
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
