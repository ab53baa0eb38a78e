import { join } from 'node:path';
import pc from 'picocolors';
import { createMembershipApis } from '../api/create-apis.js';
import { applyWorkspace, type ApplyDeps, type ApplyOutcome } from '../app/apply.js';
import { gitHeadCommit } from '../app/git-info.js';
import { planWorkspace } from '../app/plan-workspace.js';
import { openWorkspace, type Workspace } from '../app/workspace.js';
import { plural } from '../core/render/describe.js';
import { describeAnswer, notAppliedText } from '../core/render/not-applied.js';
import { renderText } from '../core/render/text.js';
import { packageRoot, toolVersion } from '../load/package-root.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { nodeFileSystem } from '../state/node-file-system.js';
import { createDemoRepo } from './demo-repo.js';
import { describeSandboxCustomers, describeSandboxMemberships } from './describe-sandbox.js';

export interface DemoOptions {
  /** Where output goes. */
  readonly write: (text: string) => void;
  readonly color: boolean;
  /** Keep the temporary repository and print its path. */
  readonly keep?: boolean;
  /** The groups folder to copy; default: the package's shipped groups/. */
  readonly groupsDir?: string;
}

/** The customer row the demo's sandbox refuses on the first apply, and why: a transient refusal the retry gets past. */
const DEMO_FAILING_ROW = { value: '15800000001', reason: '系统繁忙，请稍后重试' } as const;

/**
 * `npm start`: the main job on the embedded default. Starts the sandbox, copies the shipped
 * groups/ into a temporary git repository (the checkout stays clean), prints the plan, applies it
 * (user groups through v2, the customer group through the customer-group endpoint, which refuses
 * one row this time), prints the batch IDs and what the sandbox now holds, then applies again: only
 * the refused row is sent, and a third apply sends nothing.
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
      const ws = await openWorkspace({ cwd: repo.dir, env: { RABBITPRE_BASE_URL: sandbox.url } });
      const deps = demoDeps(sandbox, ws, out);

      out();
      out(c.bold('1. Plan'));
      const { plan } = await planWorkspace(ws, deps.fileSystem);
      out(renderText(plan, { color: options.color, mask: false }).trimEnd());

      out();
      out(c.bold('2. Apply') + c.dim(` — the sandbox refuses customer row ${DEMO_FAILING_ROW.value} this time, to show what stays pending`));
      sandbox.setFaults({ failRows: { [DEMO_FAILING_ROW.value]: DEMO_FAILING_ROW.reason } });
      const first = await applyWorkspace(ws, deps);
      if (first.status !== 'applied' && first.status !== 'partial') throw failureOf(first, `the demo apply ended ${first.status}`);
      out(applySummary(first, ws, repo.git));
      for (const line of notAppliedText(first.requests, { mask: false })) out(line);

      out();
      const held = sandbox.memberships();
      const customers = sandbox.customerMemberships();
      out(c.bold(`3. What the sandbox holds now (${held.length} user-group and ${customers.length} customer-group memberships)`));
      for (const line of describeSandboxMemberships(held)) out(line);
      for (const line of describeSandboxCustomers(customers)) out(line);

      out();
      out(c.bold('4. Apply again') + c.dim(' — the refusal is over; only what was not applied is sent'));
      sandbox.setFaults({});
      const before = sandbox.requests().length;
      const second = await applyWorkspace(ws, deps);
      if (second.status !== 'applied') throw failureOf(second, `the demo's second apply ended ${second.status}`);
      out(`Sent ${plural(sandbox.requests().length - before, 'request')}; ${ws.statePath} now records ${second.memberships} memberships.`);

      out();
      out(c.bold('5. Apply once more'));
      const last = sandbox.requests().length;
      const third = await applyWorkspace(ws, deps);
      const sent = sandbox.requests().length - last;
      out(third.status === 'unchanged' ? `${c.green('Nothing to do:')} the platform matches the group files; ${sent} requests sent.` : `Unexpected: ${third.status}, ${sent} requests sent.`);

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

function demoDeps(sandbox: Sandbox, ws: Workspace, out: (line?: string) => void): ApplyDeps {
  const { api, customerApi } = createMembershipApis(ws.config, { baseUrl: ws.target.baseUrl, pathPrefix: sandbox.pathPrefix, token: sandbox.token, timeoutMs: 10_000, retries: 2, retryBaseMs: 100 });
  return {
    api,
    customerApi,
    fileSystem: nodeFileSystem({ displayRoot: ws.cwd }),
    concurrency: 4,
    clock: () => new Date(),
    gitCommit: gitHeadCommit,
    toolVersion: toolVersion(),
    progress: {
      acknowledged: ({ request, done, total }) => out(`  [${done}/${total}] ${describeAnswer(request)}`),
      warn: (message) => out(`  warning: ${message}`),
    },
  };
}

function applySummary(outcome: ApplyOutcome, ws: Workspace, git: boolean): string {
  const ids = outcome.requests.flatMap((r) => (r.batchId !== undefined ? [r.batchId] : []));
  const commit = git ? ' and the desired-state commit' : '';
  const batchIds = ids.length === 0 ? '' : `, batch ID${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
  return `Sent ${plural(outcome.requests.length, 'request')}. ${ws.statePath} now records ${outcome.memberships} memberships${batchIds}${commit}.`;
}

/** What stopped an apply (as it was caught: it is passed on unwrapped), or an error saying how it ended. */
function failureOf(outcome: { readonly failure?: unknown }, ended: string): unknown {
  return outcome.failure ?? new Error(ended);
}
