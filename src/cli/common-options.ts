import { Option, type Command } from 'commander';
import { findRepoRoot, fromCwd } from '../app/repo-root.js';
import { openWorkspace, type Workspace } from '../app/workspace.js';
import { GroupopsError } from '../errors/index.js';
import type { CliIo } from './io.js';

export type Format = 'text' | 'markdown' | 'json';

/** Options every command understands. */
export interface CommonOptions {
  groups?: string;
  state?: string;
  config?: string;
  target?: string;
  format: Format;
  mask?: boolean;
  verbose?: boolean;
}

/** Adds the options that locate the workspace: groups folder, snapshot and config. */
export function withWorkspaceOptions(cmd: Command): Command {
  return cmd
    .option('--groups <dir>', 'folder of group files (default: groups, or the config)')
    .option('--state <path>', 'snapshot path (default: .groupops/snapshot.json, or the config)')
    .option('--config <path>', 'config file (default: .groupops/config.yaml if present)')
    .option('--target <name>', "the target (tenant) of the config's targets: to work on (default: the only one, or the implicit target)");
}

/** Adds the options every command understands. */
export function withCommonOptions(cmd: Command): Command {
  return withWorkspaceOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--mask', 'mask identity values (default for markdown, and for every format in CI)')
    .option('--no-mask', 'show identity values in full')
    .option('--verbose', 'say on stderr what takes time: group files read by the full YAML parser (and why), the time of each step');
}

/**
 * The workspace a command runs in: rooted at the repository root found from the current folder (as
 * git finds its root), with the paths given on the command line taken from the current folder.
 * Outside any repository it refuses, unless the command creates one there (`creates`: adopt --from
 * writes the groups folder), which then works in the current folder. The masking it decides also
 * applies to the problems main reports.
 */
export async function workspaceFrom(io: CliIo, opts: CommonOptions, options: { creates?: boolean } = {}): Promise<Workspace> {
  const found = await findRepoRoot(io.cwd);
  if (found === undefined && opts.groups === undefined && options.creates !== true) {
    throw new GroupopsError(
      'CONFIG_ERROR',
      `not in a groupops repository: neither ${io.cwd} nor a folder above it holds .groupops/, .git or groups/. ` +
        'Run groupops in the repository root (the folder with groups/), or name the groups folder with --groups. Nothing was read.',
    );
  }
  const root = found ?? io.cwd;
  const path = (p: string): string => fromCwd(root, io.cwd, p);
  const ws = await openWorkspace({
    cwd: root,
    ...(opts.groups !== undefined ? { groups: path(opts.groups) } : {}),
    ...(opts.state !== undefined ? { state: path(opts.state) } : {}),
    ...(opts.config !== undefined ? { config: path(opts.config) } : {}),
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    env: io.env,
    ...(isCi(io.env) ? { ci: true } : {}),
    ...(opts.verbose === true || isVerbose(io.env) ? { log: (message: string) => void io.stderr.write(`verbose: ${message}\n`) } : {}),
  });
  problemMasking.set(io, shouldMask(opts, ws));
  if (ws.target.declared && (io.env.RABBITPRE_BASE_URL ?? '').trim() !== '') {
    io.stderr.write(`warning: RABBITPRE_BASE_URL is not used: target "${ws.target.name}" has its own base URL (targets.${ws.target.name}.baseUrl in the config)\n`);
  }
  return ws;
}

/** True when GROUPOPS_VERBOSE is set (to anything but "", "false" or "0"): --verbose where no flag can be added (a workflow's step). */
export function isVerbose(env: NodeJS.ProcessEnv): boolean {
  const v = env.GROUPOPS_VERBOSE?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/** True when the CI environment variable is set (to anything but "", "false" or "0"), as CI services do. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Whether identity values are masked: the flag; else every format in CI, whose log everyone with
 * access to the repository reads (the config cannot turn that off: a pull request may change the
 * config, while the flag lives in the workflow); else the config when it says (for every format);
 * else Markdown only.
 */
export function shouldMask(opts: CommonOptions, ws: Workspace): boolean {
  if (opts.mask !== undefined) return opts.mask;
  if (ws.ci) return true;
  if (ws.config.output.maskIdentitiesSet) return ws.config.output.maskIdentities;
  return opts.format === 'markdown' ? ws.config.output.maskIdentities : false;
}

const problemMasking = new WeakMap<CliIo, boolean>();

/**
 * Whether a command's output is masked when its workspace may not have opened: as decided once it
 * did (shouldMask), else the flag, else CI.
 */
export function outputMasked(io: CliIo, opts: Pick<CommonOptions, 'mask'>): boolean {
  return problemMasking.get(io) ?? opts.mask ?? isCi(io.env);
}

/**
 * Whether the problems an error lists are masked: as the command's output, once its workspace is
 * known; before that (a config that cannot be read) the last --mask/--no-mask, else CI.
 */
export function problemsMasked(io: CliIo, argv: readonly string[]): boolean {
  const decided = problemMasking.get(io);
  if (decided !== undefined) return decided;
  const end = argv.indexOf('--');
  const flags = (end === -1 ? argv : argv.slice(0, end)).filter((a) => a === '--mask' || a === '--no-mask');
  if (flags.length > 0) return flags.at(-1) === '--mask';
  return isCi(io.env);
}
