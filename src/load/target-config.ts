import { posix } from 'node:path';
import type { SourceIssue } from '../errors/index.js';
import type { Wording } from './schema-issues.js';
import { keyPositionOf, positionOf, type YamlSource } from './yaml-source.js';

/** One entry of `targets:` in the config. */
export interface TargetConfig {
  /** The tenant's API base URL. */
  readonly baseUrl: string;
  /** The name of the environment variable that holds the target's token (never the token). */
  readonly tokenEnv: string;
  /** The target's snapshot path. */
  readonly state: string;
  /** The target's groups folder; absent: the config's `groups:`, else `groups`. */
  readonly groups?: string;
}

/** The parts of a schema-valid config file that targetConfigIssues checks. */
interface TargetConfigInput {
  readonly state?: string;
  readonly api?: { readonly baseUrl?: string };
  readonly targets?: Readonly<Record<string, TargetConfig>>;
}

/**
 * Schema errors of `targets:` worded for people. A tokenEnv that is not a variable name is most
 * likely the token pasted in: the message says so without quoting it.
 */
export const targetWording: Wording = (error, path) => {
  if (path[0] !== 'targets') return undefined;
  const name = error.propertyName ?? (error.keyword === 'propertyNames' ? String((error.params as { propertyName?: string }).propertyName) : undefined);
  if (name !== undefined && path.length === 1) {
    return { message: `target name "${name}": use letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit), e.g. production or test`, atKey: name };
  }
  if (path.length !== 3 || error.keyword !== 'pattern') return undefined;
  const field = `targets.${String(path[1])}.${String(path[2])}`;
  if (path[2] === 'tokenEnv') {
    return `${field} names the environment variable that holds the target's token, e.g. RABBITPRE_TOKEN_TEST (upper-case letters, digits and _): never write the token itself in the config`;
  }
  if (path[2] === 'baseUrl') return `${field} must start with https:// (or http://), e.g. https://integrate.rabbitpre.com`;
  return undefined;
};

/**
 * The rules of `targets:` that the schema cannot word well: each target has its own snapshot (a
 * snapshot records one target), a base URL carries no credentials, query or fragment (it is
 * printed and recorded; the token comes from tokenEnv), and the implicit target's `state:` and
 * `api.baseUrl` are not left beside named targets, where they would be silently unused.
 */
export function targetConfigIssues(source: YamlSource, config: TargetConfigInput): SourceIssue[] {
  const targets = config.targets;
  if (!targets) return [];
  const issues: SourceIssue[] = [];
  const file = source.file;
  if (config.state !== undefined) {
    issues.push({
      file,
      ...keyPositionOf(source, [], 'state'),
      message: 'state: is the snapshot of the implicit target; with targets:, each target names its own (targets.NAME.state): remove it, or move it into a target',
    });
  }
  if (config.api?.baseUrl !== undefined) {
    issues.push({
      file,
      ...keyPositionOf(source, ['api'], 'baseUrl'),
      message: "api.baseUrl is the implicit target's base URL; with targets:, each target names its own (targets.NAME.baseUrl): remove it, or move it into a target",
    });
  }
  const stateOwners = new Map<string, string>();
  for (const [name, target] of Object.entries(targets)) {
    if (!plainBaseUrl(target.baseUrl)) {
      issues.push({
        file,
        ...positionOf(source, ['targets', name, 'baseUrl']),
        message: `targets.${name}.baseUrl must be a plain URL (scheme, host, optional port and path) without credentials, query or fragment: the token comes from the variable tokenEnv names`,
      });
    }
    const state = posix.normalize(target.state.trim().replaceAll('\\', '/'));
    const owner = stateOwners.get(state);
    if (owner !== undefined) {
      issues.push({
        file,
        ...positionOf(source, ['targets', name, 'state']),
        message: `targets.${name}.state is also the snapshot of target "${owner}": give each target its own snapshot file (a snapshot records the memberships of one tenant)`,
      });
    } else stateOwners.set(state, name);
  }
  return issues;
}

/** True for an http(s) URL without credentials, query or fragment. */
function plainBaseUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}
