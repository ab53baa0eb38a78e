import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A PR comment as the fake stores it. */
export interface FakeComment {
  readonly id: number;
  readonly issue: number;
  body: string;
  readonly user: { login: string; type: 'Bot' | 'User' };
  updates: number;
}

/** A commit as the fake stores it: a flat map of paths to blob IDs stands for its tree. */
export interface FakeCommit {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
}

/** A PR the fake knows: which commits it is associated with, and whether it was merged. */
export interface FakePull {
  readonly number: number;
  readonly baseRef: string;
  /** Commits `GET /commits/{sha}/pulls` lists this PR for (head commits and the merge commit). */
  readonly commits: string[];
  mergedAt: string | null;
}

export interface FakeGitHub {
  /** The API root to give octokit as baseUrl (GITHUB_API_URL). */
  readonly url: string;
  /** The only token the fake accepts. */
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  /** Every request, in order (method and path with query). */
  readonly requests: { method: string; path: string }[];
  /** Comments of an issue or PR, oldest first. */
  comments(issue: number): FakeComment[];
  /** Seeds a comment directly (not counted as a request). */
  addComment(issue: number, body: string, user?: FakeComment['user']): FakeComment;
  /** Stores a commit with these files; `sha` may be given (e.g. a local git commit's). */
  seedCommit(input: { sha?: string; parents: readonly string[]; files: Readonly<Record<string, string>>; message?: string }): string;
  setRef(branch: string, sha: string): void;
  ref(branch: string): string | undefined;
  commit(sha: string): FakeCommit | undefined;
  /** A file's text at a commit, or undefined. */
  fileAt(sha: string, path: string): string | undefined;
  addPull(pull: FakePull): void;
  /** When true, comment writes answer 403 as a fork PR's read-only token gets. */
  forbidCommentWrites: boolean;
  /** When true, git writes (blobs, trees, commits, refs) answer 403, as for a token with `contents: read`. */
  forbidContentWrites: boolean;
  /** Runs once, just before the next ref update is checked: a way to move the branch under a writer. */
  beforeNextRefUpdate(hook: () => void): void;
  close(): Promise<void>;
}

interface Tree {
  readonly files: ReadonlyMap<string, string>;
  /** The folder this tree object stands for ('' for the root). */
  readonly prefix: string;
}

/** The git object ID of a blob, as git computes it: the fake's IDs match `git hash-object`. */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * A GitHub REST API fake on 127.0.0.1, port 0, with in-memory state: the routes groupops uses (issue
 * comments with Link pagination, git refs/commits/trees/blobs, commits' PRs, the repository), token
 * checking, request counting, a fork switch and a hook to move a branch between read and update.
 */
export async function startFakeGitHub(options: { owner?: string; repo?: string; defaultBranch?: string; perPageDefault?: number } = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'groups';
  const defaultBranch = options.defaultBranch ?? 'main';
  const token = `ghs_fake${randomBytes(12).toString('hex')}`;
  const requests: { method: string; path: string }[] = [];
  const comments: FakeComment[] = [];
  const blobs = new Map<string, string>();
  const trees = new Map<string, Tree>();
  const commits = new Map<string, FakeCommit>();
  const refs = new Map<string, string>();
  const pulls: FakePull[] = [];
  let nextCommentId = 1000;
  let refHook: (() => void) | undefined;
  let counter = 0;

  const putTree = (files: ReadonlyMap<string, string>, prefix = ''): string => {
    const entries = [...files].filter(([p]) => prefix === '' || p.startsWith(`${prefix}/`)).sort(([a], [b]) => (a < b ? -1 : 1));
    const sha = createHash('sha1')
      .update(JSON.stringify([prefix, entries]))
      .digest('hex');
    trees.set(sha, { files, prefix });
    return sha;
  };
  const putBlob = (content: string): string => {
    const sha = gitBlobSha(content);
    blobs.set(sha, content);
    return sha;
  };
  const isAncestor = (ancestor: string, of: string): boolean => {
    const seen = new Set<string>();
    const queue = [of];
    while (queue.length > 0) {
      const sha = queue.shift()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(commits.get(sha)?.parents ?? []));
    }
    return false;
  };
  const filesOf = (sha: string): ReadonlyMap<string, string> | undefined => {
    const c = commits.get(sha);
    return c ? trees.get(c.tree)?.files : undefined;
  };

  const fake: FakeGitHub = {
    url: '',
    token,
    owner,
    repo,
    requests,
    forbidCommentWrites: false,
    forbidContentWrites: false,
    comments: (issue) => comments.filter((c) => c.issue === issue),
    addComment(issue, body, user = { login: 'someone', type: 'User' }) {
      const c: FakeComment = { id: nextCommentId++, issue, body, user, updates: 0 };
      comments.push(c);
      return c;
    },
    seedCommit({ sha, parents, files, message }) {
      const map = new Map<string, string>();
      for (const [path, content] of Object.entries(files)) map.set(path, putBlob(content));
      const tree = putTree(map);
      const id = sha ?? createHash('sha1').update(`seed ${counter++} ${tree}`).digest('hex');
      commits.set(id, { sha: id, tree, parents: [...parents], message: message ?? 'seeded' });
      return id;
    },
    setRef: (branch, sha) => void refs.set(branch, sha),
    ref: (branch) => refs.get(branch),
    commit: (sha) => commits.get(sha),
    fileAt(sha, path) {
      const blob = filesOf(sha)?.get(path);
      return blob === undefined ? undefined : blobs.get(blob);
    },
    addPull: (pull) => void pulls.push(pull),
    beforeNextRefUpdate: (hook) => void (refHook = hook),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const routes: { method: string; pattern: RegExp; handle: (m: string[], body: Record<string, unknown>, url: URL) => [number, unknown, Record<string, string>?] }[] = [
    { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)$/, handle: () => [200, { full_name: `${owner}/${repo}`, default_branch: defaultBranch }] },
    {
      method: 'GET',
      pattern: /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/,
      handle: (m, _b, url) => {
        const all = fake.comments(Number(m[0]));
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? options.perPageDefault ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const links: string[] = [];
        const link = (p: number, rel: string): string => {
          const u = new URL(url);
          u.searchParams.set('page', String(p));
          u.searchParams.set('per_page', String(perPage));
          return `<${fake.url}${u.pathname}${u.search}>; rel="${rel}"`;
        };
        if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
        return [200, all.slice((page - 1) * perPage, page * perPage).map(commentJson), headers];
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/,
      handle: (m, body) => {
        if (fake.forbidCommentWrites) return forbidden();
        if (typeof body.body !== 'string') return [422, { message: 'body is missing' }];
        if (body.body.length > 65536) return [422, { message: 'Validation Failed', errors: [{ message: 'body is too long (maximum is 65536 characters)' }] }];
        return [201, commentJson(fake.addComment(Number(m[0]), body.body, { login: 'github-actions[bot]', type: 'Bot' }))];
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/,
      handle: (m, body) => {
        if (fake.forbidCommentWrites) return forbidden();
        const c = comments.find((x) => x.id === Number(m[0]));
        if (!c) return [404, { message: 'Not Found' }];
        if (typeof body.body !== 'string') return [422, { message: 'body is missing' }];
        if (body.body.length > 65536) return [422, { message: 'Validation Failed', errors: [{ message: 'body is too long (maximum is 65536 characters)' }] }];
        c.body = body.body;
        c.updates++;
        return [200, commentJson(c)];
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/ref\/heads\/(.+)$/,
      handle: (m) => {
        const sha = refs.get(m[0]!);
        return sha ? [200, { ref: `refs/heads/${m[0]}`, object: { sha, type: 'commit' } }] : [404, { message: 'Not Found' }];
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/refs\/heads\/(.+)$/,
      handle: (m, body) => {
        if (fake.forbidContentWrites) return forbidden();
        const hook = refHook;
        refHook = undefined;
        hook?.();
        const current = refs.get(m[0]!);
        const sha = String(body.sha);
        if (!current) return [422, { message: 'Reference does not exist' }];
        if (!commits.has(sha)) return [422, { message: 'Object does not exist' }];
        if (body.force !== true && !isAncestor(current, sha)) return [422, { message: 'Update is not a fast forward' }];
        refs.set(m[0]!, sha);
        return [200, { ref: `refs/heads/${m[0]}`, object: { sha, type: 'commit' } }];
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/commits\/([0-9a-f]{40})$/,
      handle: (m) => {
        const c = commits.get(m[0]!);
        return c ? [200, commitJson(c)] : [404, { message: 'Not Found' }];
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/blobs$/,
      handle: (_m, body) => {
        if (fake.forbidContentWrites) return forbidden();
        if (typeof body.content !== 'string') return [422, { message: 'content is missing' }];
        const content = body.encoding === 'base64' ? Buffer.from(body.content, 'base64').toString('utf8') : body.content;
        return [201, { sha: putBlob(content) }];
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/trees\/([0-9a-f]{40})$/,
      handle: (m) => {
        const t = trees.get(m[0]!);
        if (!t) return [404, { message: 'Not Found' }];
        const base = t.prefix === '' ? '' : `${t.prefix}/`;
        const entries = new Map<string, { path: string; mode: string; type: string; sha: string }>();
        for (const [path, blob] of t.files) {
          if (!path.startsWith(base)) continue;
          const rest = path.slice(base.length);
          const [first, ...more] = rest.split('/');
          if (more.length === 0) entries.set(first!, { path: first!, mode: '100644', type: 'blob', sha: blob });
          else if (!entries.has(first!)) entries.set(first!, { path: first!, mode: '040000', type: 'tree', sha: putTree(t.files, `${base}${first}`) });
        }
        return [200, { sha: m[0], tree: [...entries.values()], truncated: false }];
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/trees$/,
      handle: (_m, body) => {
        if (fake.forbidContentWrites) return forbidden();
        const base = typeof body.base_tree === 'string' ? trees.get(body.base_tree) : undefined;
        if (body.base_tree !== undefined && !base) return [422, { message: 'base_tree is not a valid tree' }];
        const files = new Map(base?.files ?? []);
        for (const e of (body.tree as { path: string; sha: string | null; content?: string }[]) ?? []) {
          if (e.content !== undefined) files.set(e.path, putBlob(e.content));
          else if (e.sha === null) files.delete(e.path);
          else if (!blobs.has(e.sha)) return [422, { message: `tree.sha ${e.sha} is not a valid blob` }];
          else files.set(e.path, e.sha);
        }
        return [201, { sha: putTree(files) }];
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/[^/]+\/[^/]+\/git\/commits$/,
      handle: (_m, body) => {
        if (fake.forbidContentWrites) return forbidden();
        const tree = String(body.tree);
        if (!trees.has(tree)) return [422, { message: 'Tree SHA does not exist' }];
        const parents = (body.parents as string[]) ?? [];
        if (parents.some((p) => !commits.has(p))) return [422, { message: 'Parent SHA does not exist or is not a commit object' }];
        const sha = createHash('sha1')
          .update(`commit ${counter++} ${tree} ${parents.join(',')} ${String(body.message)}`)
          .digest('hex');
        const c: FakeCommit = { sha, tree, parents, message: String(body.message) };
        commits.set(sha, c);
        return [201, commitJson(c)];
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]{40})\/pulls$/,
      handle: (m) => [
        200,
        pulls
          .filter((p) => p.commits.includes(m[0]!))
          .map((p) => ({
            number: p.number,
            state: p.mergedAt ? 'closed' : 'open',
            merged_at: p.mergedAt,
            base: { ref: p.baseRef },
            html_url: `https://github.test/${owner}/${repo}/pull/${p.number}`,
          })),
      ],
    },
  ];

  function commentJson(c: FakeComment): unknown {
    return { id: c.id, body: c.body, user: c.user, html_url: `https://github.test/${owner}/${repo}/issues/${c.issue}#issuecomment-${c.id}` };
  }
  function commitJson(c: FakeCommit): unknown {
    return { sha: c.sha, message: c.message, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })) };
  }
  function forbidden(): [number, unknown] {
    return [403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' }];
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}` });
      const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(data));
      };
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `bearer ${token}` && auth !== `Bearer ${token}`) {
        send(401, { message: 'Bad credentials' });
        return;
      }
      let body: Record<string, unknown> = {};
      if (chunks.length > 0) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          send(400, { message: 'Problems parsing JSON' });
          return;
        }
      }
      const path = decodeURIComponent(url.pathname);
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const m = route.pattern.exec(path);
        if (!m) continue;
        const [status, data, headers] = route.handle(m.slice(1), body, url);
        send(status, data, headers);
        return;
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
