import { isAbsolute, join } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig, type Config } from '../load/config.js';
import { DEFAULT_STATE_PATH } from '../state/snapshot-store.js';
import { selectTarget, type SelectedTarget } from './target.js';

/** Where a command works: the repository root, the groups folder, the snapshot, the config. */
export interface Workspace {
  readonly cwd: string;
  /** The groups folder, relative to cwd as given. */
  readonly groupsDir: string;
  /** The snapshot path, relative to cwd as given. */
  readonly statePath: string;
  readonly config: Config;
  /** The config file read (or looked for), relative to cwd as given: `plan --watch` watches it. */
  readonly configPath: string;
  /** The target (tenant) the command works on: `--target`, or the implicit one. */
  readonly target: SelectedTarget;
  /** True when running in CI (the CI environment variable): output goes to a log others read. */
  readonly ci?: boolean;
  /**
   * Where `--verbose` sends what explains a slow run (the group files the fast reader left to the
   * full YAML parser, and why; how long each step took); absent: nowhere. Never an identity value.
   */
  readonly log?: (message: string) => void;
}

export interface WorkspaceOptions {
  readonly cwd?: string;
  readonly groups?: string;
  readonly state?: string;
  readonly config?: string;
  /** `--target NAME`: a target of the config's `targets:`. */
  readonly target?: string;
  /** The environment (RABBITPRE_BASE_URL); default: none of it, so tests and library callers say what they use. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly ci?: boolean;
  readonly log?: (message: string) => void;
}

/** Resolves the workspace from options, then the config file (and its target), then defaults. */
export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const cwd = options.cwd ?? process.cwd();
  const configPath = options.config === undefined ? undefined : resolveIn(cwd, options.config);
  const config = await loadConfig(configPath ?? join(cwd, DEFAULT_CONFIG_PATH), configPath === undefined, options.config ?? DEFAULT_CONFIG_PATH, cwd);
  const target = selectTarget(config, options.target, options.env ?? {});
  return {
    cwd,
    groupsDir: options.groups ?? target.groups ?? 'groups',
    statePath: options.state ?? target.state ?? DEFAULT_STATE_PATH,
    config,
    configPath: options.config ?? DEFAULT_CONFIG_PATH,
    target,
    ...(options.ci ? { ci: true } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}

/** A path from the user, resolved against the workspace root. */
export function resolveIn(cwd: string, path: string): string {
  return isAbsolute(path) ? path : join(cwd, path);
}
