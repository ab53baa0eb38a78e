import { Command, CommanderError } from 'commander';
import { toolVersion } from '../load/package-root.js';
import { registerAdopt } from './commands/adopt.js';
import { registerApply } from './commands/apply.js';
import { registerDemo } from './commands/demo.js';
import { registerExplain } from './commands/explain.js';
import { registerGitHub } from './commands/github.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { problemsMasked } from './common-options.js';
import { addHelpTexts } from './help-text.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report-error.js';

/** Runs the command line and resolves to the exit status; the only caller of process.exit is bin/. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const done = (c: number): void => {
    code = c;
  };
  // --no-color is a program option (understood before or after the command); the commands see it
  // through their io once commander has parsed it.
  let noColor = false;
  const cli: CliIo = {
    ...io,
    get noColor() {
      return noColor;
    },
  };
  const program = new Command('groupops')
    .description('GitOps for Rabbitpre (兔展) user-group memberships')
    .version(toolVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--no-color', 'no colours (also NO_COLOR=1 or TERM=dumb; FORCE_COLOR=1 forces them)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .hook('preAction', (_program, command) => {
      noColor = command.optsWithGlobals<{ color?: boolean }>().color === false;
    });
  registerInit(program, cli, done);
  registerValidate(program, cli, done);
  registerPlan(program, cli, done);
  registerApply(program, cli, done);
  registerAdopt(program, cli, done);
  registerExplain(program, cli, done);
  registerDemo(program, cli, done);
  registerGitHub(program, cli, done);
  registerSandbox(program, cli, done);
  addHelpTexts(program);
  let status: number;
  try {
    await program.parseAsync([...argv]);
    status = code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    reportError(io, err, { mask: problemsMasked(cli, argv) });
    status = exitCodeFor(err);
  }
  // Output that could not be written (a full disk) is an error, unless the command already is one.
  const failure = await io.stdout.settle?.();
  if (failure === undefined || (status !== EXIT.ok && status !== EXIT.changes)) return status;
  io.stderr.write(`error: could not write the output: ${failure.message} (what was written is incomplete)\n`);
  return EXIT.error;
}
