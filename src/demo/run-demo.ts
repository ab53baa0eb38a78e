import { join } from 'node:path';
import pc from 'picocolors';
import { createV2Client } from '../api/v2-client.js';
import { applyWorkspace, type ApplyDeps, type ApplyOutcome } from '../app/apply.js';
import { gitHeadCommit } from '../app/git-info.js';
import { planWorkspace } from '../app/plan-workspace.js';
import { openWorkspace, type Workspace } from '../app/workspace.js';
import { renderText } from '../core/render/text.js';
import { packageRoot, toolVersion } from '../load/package-root.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { createDemoRepo } from './demo-repo.js';
import { describeSandboxMemberships } from './describe-sandbox.js';

export interface DemoOptions {
  /** Where output goes. */
  readonly write: (text: string) => void;
  readonly color: boolean;
  /** Keep the temporary repository and print its path. */
  readonly keep?: boolean;
  /** The groups folder to copy; default: the package's shipped groups/. */
  readonly groupsDir?: string;
}

/**
 * `npm start`: the main job on the embedded default. Starts the sandbox, copies the shipped
 * groups/ into a temporary git repository (the checkout stays clean), prints the plan, applies it,
 * prints the batch IDs and what the sandbox now holds, then shows that a second apply sends nothing.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const c = pc.createColors(options.color);
  const out = (line = ''): void => options.write(`${line}\n`);
  const sandbox = await startSandbox();
  try {
    const repo = await createDemoRepo(options.groupsDir ?? join(packageRoot(), 'groups'));
    try {
      out(c.bold('groupops demo') + c.dim(` — the shipped groups/ applied to a local sandbox (a fake Rabbitpre API at ${sandbox.url})`));
      out(c.dim(`Working in a temporary copy (${repo.dir}); this checkout is not touched.`));
      const ws = await openWorkspace({ cwd: repo.dir });
      const deps = demoDeps(sandbox, out);

      out();
      out(c.bold('1. Plan'));
      const { plan } = await planWorkspace(ws);
      out(renderText(plan, { color: options.color, mask: false }).trimEnd());

      out();
      out(c.bold('2. Apply'));
      const first = await applyWorkspace(ws, deps);
      if (first.status !== 'applied') throw first.failure ?? new Error(`the demo apply ended ${first.status}`);
      out(applySummary(first, ws, repo.git));

      out();
      const held = sandbox.memberships();
      out(c.bold(`3. What the sandbox holds now (${held.length} memberships)`));
      for (const line of describeSandboxMemberships(held)) out(line);

      out();
      out(c.bold('4. Apply again'));
      const before = sandbox.requests().length;
      const second = await applyWorkspace(ws, deps);
      const sent = sandbox.requests().length - before;
      out(second.status === 'unchanged' ? `${c.green('Nothing to do:')} the platform matches the group files; ${sent} requests sent.` : `Unexpected: ${second.status}, ${sent} requests sent.`);

      out();
      out(c.dim('Next: `npx groupops sandbox` runs the sandbox on its own; point `groupops apply` at it with the variables it prints.'));
      if (options.keep) out(c.dim(`The demo repository is kept at ${repo.dir}.`));
    } finally {
      if (!options.keep) await repo.remove();
    }
  } finally {
    await sandbox.close();
  }
}

function demoDeps(sandbox: Sandbox, out: (line?: string) => void): ApplyDeps {
  return {
    api: createV2Client({ baseUrl: sandbox.url, pathPrefix: sandbox.pathPrefix, token: sandbox.token, timeoutMs: 10_000, retries: 2, retryBaseMs: 100 }),
    concurrency: 4,
    clock: () => new Date(),
    gitCommit: gitHeadCommit,
    toolVersion: toolVersion(),
    progress: {
      acknowledged: ({ request, done, total }) => out(`  [${done}/${total}] ${request.op} ${request.items} items -> batch ${request.batchId}`),
      warn: (message) => out(`  warning: ${message}`),
    },
  };
}

function applySummary(outcome: ApplyOutcome, ws: Workspace, git: boolean): string {
  const ids = outcome.requests.map((r) => r.batchId).join(', ');
  const commit = git ? ' and the desired-state commit' : '';
  return `Applied ${outcome.requests.length} request${outcome.requests.length === 1 ? '' : 's'}. ${ws.statePath} now records ${outcome.memberships} memberships, batch ID ${ids}${commit}.`;
}
