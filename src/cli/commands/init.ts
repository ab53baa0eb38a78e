import { relative } from 'node:path';
import type { Command } from 'commander';
import { initRepository, type InitOutcome } from '../../init/init-repository.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

interface InitCliOptions {
  force?: boolean;
  action?: string;
  branch?: string;
}

/** `groupops init [dir]`: scaffolds a groups repository; never overwrites a file without --force. */
export function registerInit(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command('init')
    .argument('[dir]', 'the repository to scaffold (created if missing)', '.')
    .description(
      'scaffold a groups repository: .groupops/config.yaml, an example group, the plan and apply workflows using the groupops Action, editor schemas, .gitignore lines; leaves existing files alone',
    )
    .option('--force', 'replace files that exist (.gitignore only ever gets lines added)')
    .option('--action <ref>', "the uses: of the groupops Action in the workflows (default: groupops at this version's release tag)")
    .option('--branch <name>', "the branch whose pushes are applied (default: the repository's default branch, else main)")
    .action(async (dir: string, opts: InitCliOptions) => {
      const outcome = await initRepository({
        dir,
        cwd: io.cwd,
        force: opts.force === true,
        ...(opts.action !== undefined ? { action: opts.action } : {}),
        ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
      });
      io.stdout.write(renderInit(outcome, io.cwd));
      done(EXIT.ok);
    });
}

/** What init did, file by file, and the steps that follow. */
export function renderInit(o: InitOutcome, cwd: string): string {
  const where = relative(cwd, o.dir) || '.';
  const lines = [`groupops ${o.version}: scaffolded ${where === '.' ? 'this repository' : where}`];
  for (const path of o.created) lines.push(`  created  ${path}`);
  for (const path of o.replaced) lines.push(`  replaced ${path}`);
  for (const path of o.left) lines.push(`  left     ${path} (it exists; --force replaces it)`);
  if (o.gitignore.added.length > 0) {
    const patterns = o.gitignore.added.filter((l) => !l.startsWith('#'));
    lines.push(`  ${o.gitignore.created ? 'created ' : 'updated '} .gitignore (${patterns.join(', ')})`);
  } else lines.push('  left     .gitignore (it has the groupops lines)');
  lines.push(
    '',
    `The workflows run the Action ${o.action}; merges to ${o.branch} are applied.`,
    'Next:',
    '  1. Add the repository secret RABBITPRE_TOKEN (the X-Token of your Rabbitpre app, permission 用户 → 用户分组)',
    '     under Settings → Secrets and variables → Actions. Only the apply workflow sees it.',
    '  2. Write your groups in groups/, or record what the platform already holds with `groupops adopt`.',
    '  3. `groupops validate` and `groupops plan`, then commit, push and open a pull request: its plan',
    '     appears as a comment, and merging it applies it.',
  );
  return `${lines.join('\n')}\n`;
}
