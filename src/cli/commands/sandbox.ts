import { InvalidArgumentError, type Command } from 'commander';
import { GroupopsError } from '../../errors/index.js';
import type { Sandbox, SandboxOptions, SandboxRequestLog } from '../../sandbox/server.js';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from '../../sandbox/types.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { numberIn, wholeNumber } from '../option-parsers.js';

export interface SandboxCommandOptions {
  port: number;
  token?: string;
  latency?: number;
  faultRate?: number;
  faultKinds?: FaultKind[];
  seed?: number;
  retryAfter?: number;
  slowMs?: number;
  failRow?: Record<string, string>;
  rowFailureRate?: number;
  quiet?: boolean;
}

/** `groupops sandbox`: a local fake of the Rabbitpre API on 127.0.0.1, until SIGINT or SIGTERM. */
export function registerSandbox(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command('sandbox')
    .description('run a local fake of the Rabbitpre API on 127.0.0.1 (for trying apply safely and for tests)')
    .option('--port <n>', 'port to listen on (0 = any free port)', wholeNumber(0, 65535), 8787)
    .option('--token <token>', 'the X-Token the sandbox accepts (not a secret)')
    .option('--latency <ms>', "answer each request this long after it arrived (the sandbox's own work counts in it)", wholeNumber(0, 600_000))
    .option('--fault-rate <r>', 'share of requests (0..1) that get a random fault', numberIn(0, 1))
    .option('--fault-kinds <list>', `comma-separated faults to draw from (${FAULT_KINDS.join(', ')}; default all but slow, systemBusy and systemError)`, kinds)
    .option('--seed <n>', 'seed of the random fault sequence', wholeNumber(0, 2 ** 32 - 1))
    .option('--retry-after <seconds>', 'Retry-After of http429 faults', numberIn(0))
    .option('--slow-ms <ms>', 'how late a slow fault answers', wholeNumber(0, 3_600_000))
    .option('--fail-row <value=reason>', 'customer groups: rows with this identity value fail with the reason (repeatable)', failRow, undefined)
    .option('--row-failure-rate <r>', 'customer groups: share of rows (0..1) that fail at random', numberIn(0, 1))
    .option('--quiet', 'do not print a line per request')
    .action(async (opts: SandboxCommandOptions) => {
      const sandbox = await start(opts, io);
      printBanner(io, sandbox, opts);
      const signal = await waitForSignal();
      await sandbox.close();
      io.stderr.write(`sandbox stopped (${signal})\n`);
      done(EXIT.ok);
    });
}

async function start(opts: SandboxCommandOptions, io: CliIo): Promise<Sandbox> {
  const faults: FaultOptions = {
    ...(opts.faultRate !== undefined ? { rate: opts.faultRate } : {}),
    ...(opts.faultKinds !== undefined ? { kinds: opts.faultKinds } : {}),
    ...(opts.retryAfter !== undefined ? { retryAfterSeconds: opts.retryAfter } : {}),
    ...(opts.slowMs !== undefined ? { slowMs: opts.slowMs } : {}),
    ...(opts.failRow !== undefined ? { failRows: opts.failRow } : {}),
    ...(opts.rowFailureRate !== undefined ? { rowFailureRate: opts.rowFailureRate } : {}),
  };
  const options: SandboxOptions = {
    port: opts.port,
    faults,
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.latency !== undefined ? { latencyMs: opts.latency } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.quiet ? {} : { onRequest: (entry: SandboxRequestLog) => io.stderr.write(`${describeRequest(entry)}\n`) }),
  };
  // Loaded when asked for: the server is not needed by any other command.
  const { startSandbox } = await import('../../sandbox/server.js');
  try {
    return await startSandbox(options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new GroupopsError('CONFIG_ERROR', `port ${opts.port} on 127.0.0.1 is in use: pick another with --port N, or --port 0 for any free port`);
    }
    throw err;
  }
}

function printBanner(io: CliIo, sandbox: Sandbox, opts: SandboxCommandOptions): void {
  const f = sandbox.faults();
  const lines = [
    `Rabbitpre sandbox listening on ${sandbox.url}`,
    `  endpoint  POST ${sandbox.url}${sandbox.pathPrefix}/audience/group/rel/v2/batchAdd  (user groups, v2)`,
    `  endpoint  POST ${sandbox.url}${sandbox.pathPrefix}/audience/group/rel/batchAdd  (user groups, legacy v1)`,
    `  endpoint  POST ${sandbox.url}${sandbox.pathPrefix}/audience/info/batchAdd  (customer groups)`,
    `  inspect   GET ${sandbox.url}/__sandbox/state  (also /__sandbox/requests, /__sandbox/faults; POST /__sandbox/reset)`,
    ...((f.rate ?? 0) > 0 ? [`  faults    ${f.rate} of requests, drawn from ${(f.kinds ?? []).join(', ')} (seed ${opts.seed ?? 1})`] : []),
    ...(opts.latency ? [`  latency   ${opts.latency} ms per answer`] : []),
    ...(Object.keys(f.failRows ?? {}).length > 0 || (f.rowFailureRate ?? 0) > 0
      ? [`  rows      customer rows fail: ${Object.keys(f.failRows ?? {}).length} listed value(s), ${f.rowFailureRate ?? 0} at random`]
      : []),
    '',
    'Use it with:',
    `RABBITPRE_BASE_URL=${sandbox.url}`,
    `RABBITPRE_TOKEN=${sandbox.token}`,
    '',
    'Stop with Ctrl+C.',
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** One line per request: "#3 POST /api/integrate/... -> 200 accepted, batch 15314513451345123". */
export function describeRequest(entry: SandboxRequestLog): string {
  const status = entry.status === 0 ? 'dropped' : String(entry.status);
  const detail = entry.batchId ? `, batch ${entry.batchId}` : entry.note ? `, ${entry.note}` : entry.msg && entry.verdict !== 'accepted' ? `: ${entry.msg}` : '';
  const fault = entry.fault ? ` [fault ${entry.fault}]` : '';
  return `#${entry.seq} ${entry.method} ${entry.path} -> ${status} ${entry.verdict}${detail}${fault}`;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--fail-row 13900000009=客户不存在`, repeatable; without `=reason` the reason is a generic one. */
function failRow(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  const key = (at === -1 ? value : value.slice(0, at)).trim();
  const reason = at === -1 ? 'sandbox: row refused' : value.slice(at + 1).trim();
  if (key === '' || reason === '') throw new InvalidArgumentError('expected an identity value, optionally =reason, e.g. 13900000009=客户不存在');
  return { ...previous, [key]: reason };
}

function kinds(value: string): FaultKind[] {
  const list = value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  for (const k of list) if (!FAULT_KINDS.includes(k as FaultKind)) throw new InvalidArgumentError(`unknown fault "${k}"; known: ${FAULT_KINDS.join(', ')}`);
  return list as FaultKind[];
}
