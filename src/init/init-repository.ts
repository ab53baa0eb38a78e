import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot, toolVersion } from '../load/package-root.js';
import { defaultActionRef, groupopsRepository, isActionRef, isPlainBranchName } from './action-ref.js';
import { defaultBranchOf } from './default-branch.js';
import { ScaffoldError } from './scaffold-error.js';
import { EDITOR_SCHEMAS, GITIGNORE_LINES, scaffoldFiles } from './scaffold-files.js';
import { writeScaffold, type ScaffoldResult } from './write-scaffold.js';

/** What `groupops init` was asked. */
export interface InitOptions {
  /** The folder to scaffold, relative to `cwd`; created when missing. */
  readonly dir: string;
  readonly cwd: string;
  /** Replace files that exist (`.gitignore` still only gets lines added). */
  readonly force: boolean;
  /** The `uses:` of the Action; default: groupops's repository at the running version's tag. */
  readonly action?: string;
  /** The branch merges are applied from; default: the repository's default branch. */
  readonly branch?: string;
}

/** What was scaffolded where, and with which settings. */
export interface InitOutcome extends ScaffoldResult {
  readonly dir: string;
  readonly action: string;
  readonly branch: string;
  readonly version: string;
}

/**
 * `groupops init`: scaffolds a groups repository (config, an example group, the two workflows
 * using the Action, the editor schemas, .gitignore lines). The options are checked before anything
 * is written.
 */
export async function initRepository(options: InitOptions): Promise<InitOutcome> {
  const dir = resolve(options.cwd, options.dir);
  const action = options.action ?? defaultActionRef();
  if (!isActionRef(action)) {
    throw new ScaffoldError(`--action "${action}" is not an action reference: use owner/name@ref (e.g. ${defaultActionRef()}) or ./path; nothing was written`);
  }
  const branch = options.branch ?? (await defaultBranchOf(dir));
  if (!isPlainBranchName(branch)) {
    throw new ScaffoldError(`--branch "${branch}" is not a branch name the workflow can hold (letters, digits, . _ / -); nothing was written`);
  }
  const version = toolVersion();
  const root = packageRoot();
  const schemas = Object.fromEntries(EDITOR_SCHEMAS.map((name) => [name, readFileSync(join(root, 'schemas', name), 'utf8')]));
  const files = scaffoldFiles({ version, repository: groupopsRepository(), action, branch, schemas });
  const result = await writeScaffold(dir, files, GITIGNORE_LINES, { force: options.force });
  return { ...result, dir, action, branch, version };
}
