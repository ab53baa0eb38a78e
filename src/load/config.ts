import { realpathSync } from 'node:fs';
import { InvalidInputError, sortIssues } from '../errors/index.js';
import { schemaValidator } from './schemas.js';
import type { Config, CustomerSettings, V1Settings } from './config-model.js';
import { endpointConfigIssues } from './endpoint-config.js';
import { identityTypeConfigIssues, identityTypeSettingsOf, identityTypesWording, type IdentityTypesInput } from './identity-config.js';
import { DEFAULT_IDENTITY_TYPES } from './identity-types.js';
import { DEFAULT_MAX_FILE_BYTES, isInside, readInputFile } from './input-file.js';
import { schemaIssues, type Wording } from './schema-issues.js';
import { targetConfigIssues, targetWording, type TargetConfig } from './target-config.js';
import { parseYamlSource } from './yaml-source.js';

export type { Config, CustomerSettings, V1Settings } from './config-model.js';

/** Where the config is read from unless `--config` says otherwise. */
export const DEFAULT_CONFIG_PATH = '.groupops/config.yaml';

type ConfigFile = {
  groups?: string;
  state?: string;
  matchingType?: 1 | 2;
  safety?: Partial<Config['safety']>;
  output?: { maskIdentities?: boolean };
  identityTypes?: IdentityTypesInput;
  limits?: Partial<Config['limits']>;
  api?: Partial<Config['api']>;
  userGroups?: Config['userGroups'];
  v1?: V1Settings;
  customer?: Partial<CustomerSettings>;
  targets?: Record<string, TargetConfig>;
};

/** The settings used when there is no config file. */
export const DEFAULT_CONFIG: Config = {
  // maxDeleteTotal: see docs/config.md for why 5000 (ten full delete requests).
  safety: { maxDeletePercent: 25, maxDeleteCount: 20, maxDeleteTotal: 5000 },
  output: { maskIdentities: true },
  identityTypes: DEFAULT_IDENTITY_TYPES,
  limits: { maxFileBytes: DEFAULT_MAX_FILE_BYTES },
  api: { pathPrefix: '/api/integrate', timeoutMs: 30_000, retries: 5, concurrency: 4 },
};

/** The largest config file read: a config is a few hundred bytes; a bigger one is not one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads and validates the config file. A missing optional config means defaults; a missing file
 * named explicitly, or an invalid one, throws InvalidInputError with positions. Issues name the
 * file as `displayPath` (the path as the user gave it, not the resolved one). Only a regular file
 * of at most MAX_CONFIG_BYTES is read; one inside `repoRoot` (the default config, which a pull
 * request may replace) must really be there, not a symlink to elsewhere.
 */
export async function loadConfig(file: string, optional: boolean, displayPath = file, repoRoot?: string): Promise<Config> {
  const cannot = (message: string) => new InvalidInputError([{ file: displayPath, line: 1, column: 1, message }], 'the config cannot be read');
  // A config named outside the repository (--config /etc/...) is the user's own choice: read it where it is.
  const inside = repoRoot !== undefined && isInside(file, repoRoot) ? { inside: [realpathOr(repoRoot)] } : {};
  const read = readInputFile(file, { ...inside, maxBytes: MAX_CONFIG_BYTES, limitAdvice: 'a config file is a few lines, so this is not one' });
  if (!read.ok) {
    const missing = read.reason === 'missing';
    if (missing && optional) return DEFAULT_CONFIG;
    if (missing) throw cannot(`the config file does not exist: check the --config path, or leave --config out to use ${DEFAULT_CONFIG_PATH} when present`);
    throw cannot(`the config file ${read.message}`);
  }
  const bytes = read.bytes;
  const parsed = parseYamlSource(displayPath, bytes);
  if (!parsed.ok) throw new InvalidInputError(parsed.issues, 'the config is invalid');
  const value = parsed.source.value ?? {};
  const validate = schemaValidator('config');
  // Issues by line, as in group files: ajv lists them in the schema's order of keys, not the file's.
  const wording: Wording = (e, path, field) => targetWording(e, path, field) ?? identityTypesWording(e, path, field);
  if (!validate(value)) throw new InvalidInputError(sortIssues(schemaIssues(parsed.source, validate.errors ?? [], wording)), 'the config is invalid');
  const rules = [...endpointConfigIssues(parsed.source, value), ...targetConfigIssues(parsed.source, value), ...identityTypeConfigIssues(parsed.source, (value as ConfigFile).identityTypes)];
  if (rules.length > 0) throw new InvalidInputError(sortIssues(rules), 'the config is invalid');
  return mergeConfig(value);
}

/** Applies a config file's values over the defaults. */
export function mergeConfig(file: ConfigFile): Config {
  return {
    ...(file.groups !== undefined ? { groups: file.groups } : {}),
    ...(file.state !== undefined ? { state: file.state } : {}),
    ...(file.matchingType !== undefined ? { matchingType: file.matchingType } : {}),
    safety: { ...DEFAULT_CONFIG.safety, ...file.safety },
    output: file.output?.maskIdentities !== undefined ? { maskIdentities: file.output.maskIdentities, maskIdentitiesSet: true } : DEFAULT_CONFIG.output,
    identityTypes: identityTypeSettingsOf(file.identityTypes),
    limits: { ...DEFAULT_CONFIG.limits, ...file.limits },
    api: { ...DEFAULT_CONFIG.api, ...file.api },
    // Endpoint sections stay as written (and absent when not written); endpoint-config.ts resolves them.
    ...(file.userGroups !== undefined ? { userGroups: file.userGroups } : {}),
    ...(file.v1 !== undefined ? { v1: file.v1 } : {}),
    ...(file.customer !== undefined ? { customer: file.customer } : {}),
    ...(file.targets !== undefined ? { targets: file.targets } : {}),
  };
}

function realpathOr(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}
