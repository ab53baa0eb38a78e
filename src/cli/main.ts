import { Command, CommanderError } from 'commander';
import { toolVersion } from '../load/package-root.js';
import { registerAdopt } from './commands/adopt.js';
import { registerApply } from './commands/apply.js';
import { registerDemo } from './commands/demo.js';
import { registerGitHub } from './commands/github.js';
import { registerPlan } from './commands/plan.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { problemsMasked } from './common-options.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report-error.js';

/** Runs the command line and resolves to the exit status; the only caller of process.exit is bin/. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const done = (c: number): void => {
    code = c;
  };
  const program = new Command('groupops')
    .description('GitOps for Rabbitpre (兔展) user-group memberships')
    .version(toolVersion(), '--version', 'print the version')
    .helpOption('--help', 'show help')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerValidate(program, io, done);
  registerPlan(program, io, done);
  registerApply(program, io, done);
  registerAdopt(program, io, done);
  registerDemo(program, io, done);
  registerGitHub(program, io, done);
  registerSandbox(program, io, done);
  let status: number;
  try {
    await program.parseAsync([...argv]);
    status = code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    reportError(io, err, { mask: problemsMasked(io, argv) });
    status = exitCodeFor(err);
  }
  // Output that could not be written (a full disk) is an error, unless the command already is one.
  const failure = await io.stdout.settle?.();
  if (failure === undefined || (status !== EXIT.ok && status !== EXIT.changes)) return status;
  io.stderr.write(`error: could not write the output: ${failure.message} (what was written is incomplete)\n`);
  return EXIT.error;
}
