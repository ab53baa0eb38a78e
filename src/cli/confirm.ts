import { createInterface } from 'node:readline';
import type { Plan } from '../core/plan.js';
import { planCounts } from '../core/render/describe.js';
import { NotApprovedError } from '../errors/index.js';
import { isCi } from './common-options.js';
import { useColor, type CliIo } from './io.js';
import { renderPlan } from './render-plan.js';

/** How an apply is approved: `--auto-approve`, an answer typed on the terminal, or CI. */
export type ApprovalMode = 'auto-approve' | 'ask' | 'ci' | 'no-terminal';

/**
 * terraform's rule: `--auto-approve` skips the question; on a terminal (stdin to read the answer
 * from, stderr to ask on) the user is asked; without one, only CI goes ahead by itself, since a
 * script that pipes into groupops did not say it means to change the tenant.
 */
export function approvalMode(io: CliIo, autoApprove: boolean): ApprovalMode {
  if (autoApprove) return 'auto-approve';
  if (io.stdin?.isTTY === true && io.stderr.isTTY === true) return 'ask';
  return isCi(io.env) ? 'ci' : 'no-terminal';
}

export interface ConfirmOptions {
  readonly autoApprove: boolean;
  /** True when the text plan already went to the terminal on stdout; otherwise it is shown on stderr first. */
  readonly planShown: boolean;
  readonly mask: boolean;
  /** Ctrl-C: the question is answered "no". */
  readonly signal?: AbortSignal;
}

/**
 * The approval of an apply (ApplyDeps.approve): true to send. Asks for `yes` on a terminal (any other
 * answer, an empty line, end of input or Ctrl-C cancels); without a terminal, throws a
 * NotApprovedError saying to pass --auto-approve unless CI is set.
 */
export async function confirmApply(io: CliIo, plan: Plan, options: ConfirmOptions): Promise<boolean> {
  const mode = approvalMode(io, options.autoApprove);
  if (mode === 'auto-approve' || mode === 'ci') return true;
  if (mode === 'no-terminal') {
    throw new NotApprovedError(
      'apply needs approval, and there is no terminal to ask on: run it again with --auto-approve to apply without asking ' +
        '(in CI, where the environment sets CI=true, it goes ahead by itself). Nothing was sent.',
    );
  }
  if (!options.planShown) io.stderr.write(`${renderPlan(plan, 'text', { color: useColor(io, 'stderr'), mask: options.mask })}\n`);
  io.stderr.write(
    ['Do you want to apply these changes?', `  groupops will send them to Rabbitpre: ${planCounts(plan.summary)}.`, "  Only 'yes' will be accepted to approve.", '', '  Enter a value: '].join('\n'),
  );
  const answer = await readAnswer(io.stdin!, options.signal);
  if (answer === undefined) io.stderr.write('\n');
  return answer?.trim() === 'yes';
}

/**
 * One line from `input`; undefined at end of input or when `signal` aborts. The terminal stays in
 * its normal (cooked) mode: it echoes and edits the line, and Ctrl-C reaches the process as SIGINT.
 */
function readAnswer(input: NodeJS.ReadableStream, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let settled = false;
    const finish = (answer: string | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = (): void => finish(undefined);
    if (signal?.aborted) return finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish(undefined));
  });
}
