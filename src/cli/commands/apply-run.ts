import { createMembershipApis } from '../../api/create-apis.js';
import { applyWorkspace, type ApplyOutcome } from '../../app/apply.js';
import { gitHeadCommit } from '../../app/git-info.js';
import type { Workspace } from '../../app/workspace.js';
import { plural } from '../../core/render/describe.js';
import { renderMarkdown } from '../../core/render/markdown.js';
import { countNotApplied, describeAnswer, notAppliedMarkdown, notAppliedText, pendingPhrases } from '../../core/render/not-applied.js';
import type { Plan } from '../../core/plan.js';
import { GroupopsError, UnsafePlanError } from '../../errors/index.js';
import { toolVersion } from '../../load/package-root.js';
import { shouldMask, workspaceFrom } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { stateFileSystem, useColor, writePieces, type CliIo } from '../io.js';
import { createApplyReporter } from '../progress.js';
import { renderPlan, renderPlanChunks } from '../render-plan.js';
import type { ApplyCliOptions } from './apply.js';

/** Where the API lives unless RABBITPRE_BASE_URL or the config says otherwise (product.md). */
const DEFAULT_BASE_URL = 'https://integrate.rabbitpre.com';

/**
 * Runs an apply as the command line does and resolves to its exit status; `onOutcome` receives the
 * outcome before a failure is thrown, so a caller (the GitHub step) can still commit what was acknowledged.
 */
export async function runApply(io: CliIo, opts: ApplyCliOptions, onOutcome?: (outcome: ApplyOutcome) => void): Promise<number> {
  // Checked before anything is read or sent, naming the variable and never echoing a value.
  const token = io.env.RABBITPRE_TOKEN;
  if (token === undefined || token.trim() === '') {
    throw new GroupopsError(
      'CONFIG_ERROR',
      'RABBITPRE_TOKEN is not set: apply needs the X-Token of the Rabbitpre self-built app (permission 用户 -> 用户分组). Set it in the environment (in GitHub Actions, from a secret). Nothing was sent.',
    );
  }
  const ws = await workspaceFrom(io, opts);
  const reporter = createApplyReporter(io);
  const { api, customerApi } = createMembershipApis(ws.config, {
    baseUrl: nonEmpty(io.env.RABBITPRE_BASE_URL) ?? ws.config.api.baseUrl ?? DEFAULT_BASE_URL,
    pathPrefix: ws.config.api.pathPrefix,
    token,
    timeoutMs: ws.config.api.timeoutMs,
    retries: ws.config.api.retries,
    onRetry: (info) => reporter.retry(info),
  });
  const format = opts.format;
  const controller = new AbortController();
  const interrupt = (): void => {
    reporter.stop();
    io.stderr.write('\ninterrupted: no new request is sent and no retry; waiting for those in flight so the snapshot records them (press Ctrl-C again to quit at once; the journal keeps what was acknowledged)\n');
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let outcome: ApplyOutcome;
  let planned: Plan | undefined;
  try {
    outcome = await applyWorkspace(
      ws,
      {
        api,
        customerApi,
        fileSystem: stateFileSystem(io),
        concurrency: opts.concurrency ?? ws.config.api.concurrency,
        clock: () => new Date(),
        gitCommit: gitHeadCommit,
        toolVersion: toolVersion(),
        signal: controller.signal,
        progress: {
          ...reporter,
          // The plan goes out before anything is sent (or refused), so a reader sees what it is about.
          planned: (plan) => {
            planned = plan;
            if (format === 'text') io.stdout.write(`${renderPlan(plan, 'text', { color: useColor(io), mask: shouldMask(opts, ws) })}\n`);
          },
        },
      },
      {
        allowMassDelete: opts.allowMassDelete === true,
        ...(opts.maxDeletes !== undefined ? { maxDeletes: opts.maxDeletes } : {}),
        ...(opts.expectPlan !== undefined ? { expectPlan: opts.expectPlan } : {}),
      },
    );
  } catch (err) {
    // A script reading --format json gets a document for a refusal too, with the plan it refused.
    if (format === 'json' && planned && err instanceof UnsafePlanError) {
      const extra = { status: 'refused', complete: false, error: { code: err.code, message: err.message } };
      await writePieces(io.stdout, renderPlanChunks(planned, 'json', { color: false, mask: shouldMask(opts, ws), extra }));
    }
    throw err;
  } finally {
    reporter.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
  onOutcome?.(outcome);
  await writePieces(io.stdout, renderOutcome(outcome, ws, opts));
  if (outcome.status === 'failed') throw outcome.failure;
  if (outcome.status === 'partial') {
    io.stderr.write(`error: ${pendingSummary(outcome)}; the snapshot records only what the API confirmed, and the next groupops apply sends the rest again\n`);
    return EXIT.error;
  }
  if (outcome.status === 'interrupted') {
    io.stderr.write('error: the apply was interrupted; run groupops apply again to send the rest\n');
    return EXIT.error;
  }
  return EXIT.ok;
}

/** The result in the chosen format, in pieces to write one after the other (JSON lists every change). */
function renderOutcome(outcome: ApplyOutcome, ws: Workspace, opts: ApplyCliOptions): Iterable<string> {
  const mask = shouldMask(opts, ws);
  const batches = outcome.requests;
  if (opts.format === 'json') {
    const extra = {
      status: outcome.status,
      complete: outcome.status === 'applied' || outcome.status === 'unchanged',
      ...(outcome.status === 'partial' ? { notApplied: countNotApplied(outcome.requests) } : {}),
      snapshot: { path: ws.statePath, written: outcome.snapshotWritten, memberships: outcome.memberships },
      ...(outcome.recovered > 0 ? { recovered: outcome.recovered } : {}),
      ...(outcome.failure instanceof Error ? { error: { code: codeOf(outcome.failure), message: outcome.failure.message } } : {}),
    };
    return renderPlanChunks(outcome.plan, 'json', { color: false, mask, batches, extra });
  }
  // Markdown lists what was not applied in its own, escaped section below the table.
  const lines = resultLines(outcome, ws, opts.format === 'markdown' ? undefined : mask);
  if (opts.format === 'markdown') {
    const table = batches.length === 0 ? [] : ['', '| # | operation | items | batch ID |', '|---:|---|---:|---|', ...batches.map((b, i) => `| ${i + 1} | ${b.op} | ${b.items} | ${batchCell(b)} |`)];
    const pending = notAppliedMarkdown(outcome.requests, { mask });
    return [`${renderMarkdown(outcome.plan, { mask, title: 'groupops apply' })}\n${lines.join('\n\n')}\n${table.join('\n')}\n${pending.length > 0 ? `\n${pending.join('\n')}\n` : ''}`];
  }
  return [`${lines.join('\n')}\n`];
}

/** The result for people; `mask` undefined leaves out the rows not applied (shown elsewhere). */
function resultLines(outcome: ApplyOutcome, ws: Workspace, mask: boolean | undefined): string[] {
  const out: string[] = [];
  if (outcome.recovered > 0) out.push(`Recovered ${plural(outcome.recovered, 'acknowledged request')} of an interrupted apply from its journal into ${ws.statePath}.`);
  const total = outcome.plan.batches.length;
  const acked = outcome.requests.length;
  if (outcome.status === 'unchanged') {
    out.push('Nothing to apply: nothing was sent.');
    if (outcome.snapshotWritten) out.push(`Snapshot written: ${ws.statePath} (${plural(outcome.memberships, 'membership')}). Commit it.`);
    return out;
  }
  if (outcome.status === 'applied') out.push(`Applied ${plural(acked, 'request')}:`);
  else if (outcome.status === 'partial') out.push(`Sent ${plural(acked, 'request')}, but ${pendingSummary(outcome)}:`);
  else out.push(acked === 0 ? `Stopped before any of ${plural(total, 'request')} was acknowledged.` : `Stopped after ${acked} of ${plural(total, 'request')}; acknowledged:`);
  for (const r of outcome.requests) out.push(`  ${describeAnswer(r)}`);
  if (mask !== undefined) out.push(...notAppliedText(outcome.requests, { mask }));
  if (outcome.snapshotWritten) {
    out.push(`Snapshot written: ${ws.statePath} (${plural(outcome.memberships, 'membership')}${outcome.status === 'applied' ? '' : ', recording exactly what the API confirmed'}). Commit it.`);
  } else out.push(`The snapshot ${ws.statePath} is unchanged.`);
  if (outcome.status === 'partial') out.push('Run groupops apply again to retry what was not applied.');
  else if (outcome.status !== 'applied') out.push('Run groupops apply again to send the rest.');
  return out;
}

/** "2 rows were not applied and 3 items are not confirmed yet". */
function pendingSummary(outcome: ApplyOutcome): string {
  const { rows, items } = pendingPhrases(outcome.requests);
  return [rows, items].filter((p) => p !== undefined).join(' and ');
}

/** The batch ID cell of the Markdown result table; customer-group requests have none. */
function batchCell(r: ApplyOutcome['requests'][number]): string {
  if (r.batchId !== undefined) return `\`${r.batchId}\`${r.status === 'accepted' ? '' : ` (${r.status})`}`;
  return r.status === 'accepted' ? 'customer groups: applied' : r.status === 'partial' ? `customer groups: ${plural(r.failed.length, 'row')} not applied` : 'customer groups: not confirmed';
}

function codeOf(err: Error): string {
  return err instanceof GroupopsError ? err.code : 'INTERNAL';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

