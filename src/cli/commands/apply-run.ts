import { createMembershipApis } from '../../api/create-apis.js';
import { proxyFromEnv } from '../../api/proxy.js';
import { applyWorkspace, type ApplyOutcome } from '../../app/apply.js';
import { DEFAULT_BASE_URL } from '../../app/target.js';
import { gitHeadCommit } from '../../app/git-info.js';
import type { Workspace } from '../../app/workspace.js';
import { buildApplyReport, type ApplyReport } from '../../core/apply-report.js';
import { pendingSummary, renderApplyJsonChunks, renderApplyMarkdown, renderApplyText } from '../../core/render/apply-report.js';
import type { Plan } from '../../core/plan.js';
import { GroupopsError } from '../../errors/index.js';
import { DEFAULT_STATE_PATH } from '../../state/snapshot-store.js';
import { toolVersion } from '../../load/package-root.js';
import { shouldMask, workspaceFrom } from '../common-options.js';
import { confirmApply } from '../confirm.js';
import { EXIT } from '../exit-codes.js';
import { stateFileSystem, useColor, writePieces, type CliIo } from '../io.js';
import { createApplyReporter } from '../progress.js';
import { jsonIsPretty, renderPlan } from '../render-plan.js';
import type { ApplyCliOptions } from '../command-options.js';

/**
 * Runs an apply as the command line does and resolves to its exit status; `onReport` receives the
 * apply's report before a failure is thrown, so a caller (the GitHub step) can still commit what was
 * acknowledged and report it.
 */
export async function runApply(io: CliIo, opts: ApplyCliOptions, onReport?: (report: ApplyReport) => void): Promise<number> {
  const format = opts.format;
  let ws: Workspace | undefined;
  let planned: Plan | undefined;
  let outcome: ApplyOutcome;
  try {
    ({ ws, outcome } = await applyAsCommanded(
      io,
      opts,
      (w) => (ws = w),
      (plan) => (planned = plan),
    ));
  } catch (err) {
    // A script reading --format json gets a document for a refused or failed run too, with the plan
    // it refused when there was one.
    const report = buildApplyReport({ snapshotPath: ws?.statePath ?? opts.state ?? DEFAULT_STATE_PATH, error: err, ...(planned ? { plan: planned } : {}) });
    onReport?.(report);
    if (format === 'json') await writePieces(io.stdout, renderApplyJsonChunks(report, { mask: ws ? shouldMask(opts, ws) : opts.mask === true, pretty: jsonIsPretty(io, opts) }));
    throw err;
  }
  const report = buildApplyReport({ snapshotPath: ws.statePath, outcome });
  onReport?.(report);
  await writePieces(io.stdout, renderReport(report, ws, opts, jsonIsPretty(io, opts)));
  if (outcome.status === 'failed') throw outcome.failure;
  if (outcome.status === 'partial') {
    io.stderr.write(`error: ${pendingSummary(outcome.requests)}; the snapshot records only what the API confirmed, and the next groupops apply sends the rest again\n`);
    return EXIT.error;
  }
  if (outcome.status === 'interrupted') {
    io.stderr.write('error: the apply was interrupted; run groupops apply again to send the rest\n');
    return EXIT.error;
  }
  return EXIT.ok;
}

/** Reads the workspace and applies, as the options say: the plan goes out (as text) before anything is sent. */
async function applyAsCommanded(io: CliIo, opts: ApplyCliOptions, opened: (ws: Workspace) => void, planned: (plan: Plan) => void): Promise<{ ws: Workspace; outcome: ApplyOutcome }> {
  // The config names the target and so the variable its token is in; checked before the group files
  // or the snapshot are read and before anything is sent, naming the variable and never echoing a value.
  const ws = await workspaceFrom(io, opts);
  opened(ws);
  const tokenEnv = ws.target.tokenEnv;
  const token = io.env[tokenEnv];
  if (token === undefined || token.trim() === '') {
    const whose = ws.target.declared ? ` (target "${ws.target.name}" takes its token from it: targets.${ws.target.name}.tokenEnv in the config)` : '';
    throw new GroupopsError(
      'CONFIG_ERROR',
      `${tokenEnv} is not set${whose}: apply needs the X-Token of the Rabbitpre self-built app (permission 用户 -> 用户分组). Set it in the environment (in GitHub Actions, from a secret). Nothing was sent.`,
    );
  }
  const reporter = createApplyReporter(io);
  const { api, customerApi } = createMembershipApis(ws.config, {
    baseUrl: ws.target.baseUrl,
    baseUrlFrom: baseUrlFrom(io, ws),
    proxy: proxyFromEnv(io.env),
    pathPrefix: ws.config.api.pathPrefix,
    token,
    timeoutMs: ws.config.api.timeoutMs,
    retries: ws.config.api.retries,
    onRetry: (info) => reporter.retry(info),
  });
  const format = opts.format;
  const controller = new AbortController();
  let sending = false;
  const interrupt = (): void => {
    reporter.stop();
    io.stderr.write(
      sending
        ? '\ninterrupted: no new request is sent and no retry; waiting for those in flight so the snapshot records them (press Ctrl-C again to quit at once; the journal keeps what was acknowledged)\n'
        : '\ninterrupted before sending: nothing was sent\n',
    );
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const outcome = await applyWorkspace(
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
        approve: (plan) =>
          confirmApply(io, plan, {
            autoApprove: opts.autoApprove === true,
            planShown: format === 'text' && io.stdout.isTTY === true,
            mask: shouldMask(opts, ws),
            signal: controller.signal,
          }),
        progress: {
          ...reporter,
          sending: (plan, concurrency) => {
            sending = true;
            reporter.sending?.(plan, concurrency);
          },
          // The plan goes out before anything is sent (or refused), so a reader sees what it is about.
          planned: (plan) => {
            planned(plan);
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
    return { ws, outcome };
  } finally {
    reporter.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

/** The result in the chosen format, in pieces to write one after the other (JSON lists every change). */
function renderReport(report: ApplyReport, ws: Workspace, opts: ApplyCliOptions, pretty: boolean): Iterable<string | Uint8Array> {
  const mask = shouldMask(opts, ws);
  if (opts.format === 'json') return renderApplyJsonChunks(report, { mask, pretty });
  if (opts.format === 'markdown') return [renderApplyMarkdown(report, {}, { mask, place: 'local', withPlan: true })];
  return [`${renderApplyText(report, { mask }).join('\n')}\n`];
}

/** What supplied the base URL, as the messages about connections name it: the default by the variable that would change it. */
function baseUrlFrom(io: CliIo, ws: Workspace): string {
  const defaulted = !ws.target.declared && ws.config.api.baseUrl === undefined && (io.env.RABBITPRE_BASE_URL ?? '').trim() === '';
  return defaulted ? `RABBITPRE_BASE_URL (not set: the default ${DEFAULT_BASE_URL} is used)` : ws.target.baseUrlFrom;
}
