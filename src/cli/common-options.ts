import { Option, type Command } from 'commander';
import { openWorkspace, type Workspace } from '../app/workspace.js';
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
}

/** Adds the options that locate the workspace: groups folder, snapshot and config. */
export function withWorkspaceOptions(cmd: Command): Command {
  return cmd
    .option('--groups <dir>', 'folder of group files (default: groups, or the config)')
    .option('--state <path>', 'snapshot path (default: .groupops/snapshot.json, or the config)')
    .option('--config <path>', 'config file (default: .groupops/config.yaml if present)')
    .option('--target <name>', 'the target (tenant) of the config\'s targets: to work on (default: the only one, or the implicit target)');
}

/** Adds the options every command understands. */
export function withCommonOptions(cmd: Command): Command {
  return withWorkspaceOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--mask', 'mask identity values (default for markdown)')
    .option('--no-mask', 'show identity values in full');
}

/** The workspace a command runs in. */
export async function workspaceFrom(io: CliIo, opts: CommonOptions): Promise<Workspace> {
  const ws = await openWorkspace({
    cwd: io.cwd,
    ...(opts.groups !== undefined ? { groups: opts.groups } : {}),
    ...(opts.state !== undefined ? { state: opts.state } : {}),
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    env: io.env,
  });
  if (ws.target.declared && (io.env.RABBITPRE_BASE_URL ?? '').trim() !== '') {
    io.stderr.write(`warning: RABBITPRE_BASE_URL is not used: target "${ws.target.name}" has its own base URL (targets.${ws.target.name}.baseUrl in the config)\n`);
  }
  return ws;
}

/** Whether identity values are masked: the flag, else the config for markdown, else not. */
export function shouldMask(opts: CommonOptions, ws: Workspace): boolean {
  if (opts.mask !== undefined) return opts.mask;
  return opts.format === 'markdown' ? ws.config.output.maskIdentities : false;
}
