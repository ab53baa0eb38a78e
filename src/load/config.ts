import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors/index.js';
import { schemaValidator } from './schemas.js';
import { schemaIssues } from './schema-issues.js';
import { parseYamlSource } from './yaml-source.js';

/** Where the config is read from unless `--config` says otherwise. */
export const DEFAULT_CONFIG_PATH = '.groupops/config.yaml';

export interface Config {
  readonly groups?: string;
  readonly state?: string;
  readonly matchingType?: 1 | 2;
  readonly safety: { readonly maxDeletePercent: number; readonly maxDeleteCount: number };
  readonly output: { readonly maskIdentities: boolean };
  readonly api: {
    readonly baseUrl?: string;
    readonly pathPrefix: string;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly concurrency: number;
  };
}

type ConfigFile = {
  groups?: string;
  state?: string;
  matchingType?: 1 | 2;
  safety?: Partial<Config['safety']>;
  output?: Partial<Config['output']>;
  api?: Partial<Config['api']>;
};

/** The settings used when there is no config file. */
export const DEFAULT_CONFIG: Config = {
  safety: { maxDeletePercent: 25, maxDeleteCount: 20 },
  output: { maskIdentities: true },
  api: { pathPrefix: '/api/integrate', timeoutMs: 30_000, retries: 5, concurrency: 4 },
};

/**
 * Reads and validates the config file. A missing optional config means defaults; a missing file
 * named explicitly, or an invalid one, throws InvalidInputError with positions. Issues name the
 * file as `displayPath` (the path as the user gave it, not the resolved one).
 */
export async function loadConfig(file: string, optional: boolean, displayPath = file): Promise<Config> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && optional) return DEFAULT_CONFIG;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const message = `the config file does not exist: check the --config path, or leave --config out to use ${DEFAULT_CONFIG_PATH} when present`;
      throw new InvalidInputError([{ file: displayPath, line: 1, column: 1, message }], 'the config cannot be read');
    }
    throw err;
  }
  const parsed = parseYamlSource(displayPath, bytes);
  if (!parsed.ok) throw new InvalidInputError(parsed.issues, 'the config is invalid');
  const value = parsed.source.value ?? {};
  const validate = schemaValidator('config');
  if (!validate(value)) throw new InvalidInputError(schemaIssues(parsed.source, validate.errors ?? []), 'the config is invalid');
  return mergeConfig(value as ConfigFile);
}

/** Applies a config file's values over the defaults. */
export function mergeConfig(file: ConfigFile): Config {
  return {
    ...(file.groups !== undefined ? { groups: file.groups } : {}),
    ...(file.state !== undefined ? { state: file.state } : {}),
    ...(file.matchingType !== undefined ? { matchingType: file.matchingType } : {}),
    safety: { ...DEFAULT_CONFIG.safety, ...file.safety },
    output: { ...DEFAULT_CONFIG.output, ...file.output },
    api: { ...DEFAULT_CONFIG.api, ...file.api },
  };
}
