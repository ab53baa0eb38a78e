import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { useColor, type CliIo } from '../io.js';

/** `groupops demo` (what `npm start` runs): plan and apply the shipped groups against a local sandbox. */
export function registerDemo(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command('demo', { hidden: true })
    .description('plan and apply the shipped groups/ against a local sandbox, in a temporary copy')
    .option('--keep', 'keep the temporary repository and print its path')
    .action(async (opts: { keep?: boolean }) => {
      // Loaded when asked for, as the sandbox and apply are: a plan needs neither.
      const { runDemo } = await import('../../demo/run-demo.js');
      await runDemo({ write: (s) => io.stdout.write(s), color: useColor(io), keep: opts.keep === true });
      done(EXIT.ok);
    });
}
