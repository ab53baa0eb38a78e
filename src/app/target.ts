import { describeTarget, IMPLICIT_TARGET, targetMismatch, targetOrigin, type TargetEvidence, type TargetRecord } from '../core/target.js';
import { GroupopsError, UnsafePlanError } from '../errors/index.js';
import type { Config } from '../load/config.js';
import { closest } from '../load/schema-issues.js';

/** Where the API lives unless RABBITPRE_BASE_URL or the config says otherwise (product.md). */
export const DEFAULT_BASE_URL = 'https://integrate.rabbitpre.com';

/** The variable the implicit target's token comes from. */
export const DEFAULT_TOKEN_ENV = 'RABBITPRE_TOKEN';

/** The target a command works on: a named target of the config, or the implicit one. */
export interface SelectedTarget {
  readonly name: string;
  /** True for a target of the config's `targets:`, false for the implicit target. */
  readonly declared: boolean;
  /** The base URL the API is called at, as configured. */
  readonly baseUrl: string;
  /** Where baseUrl comes from, for messages: RABBITPRE_BASE_URL, api.baseUrl, targets.NAME.baseUrl or "the default". */
  readonly baseUrlFrom: string;
  /** The environment variable that holds the target's token. */
  readonly tokenEnv: string;
  /** The target's snapshot and groups folder from the config (flags still win; see openWorkspace). */
  readonly state?: string;
  readonly groups?: string;
}

/**
 * Selects the target: `--target NAME` from the config's `targets:`, the only one declared, or the
 * implicit target when none are. An unknown name, a name without `targets:`, or several targets and
 * no name are errors that list what is declared.
 */
export function selectTarget(config: Pick<Config, 'targets' | 'api' | 'state' | 'groups'>, name: string | undefined, env: Readonly<Record<string, string | undefined>>): SelectedTarget {
  const targets = config.targets;
  const names = Object.keys(targets ?? {});
  if (!targets || names.length === 0) {
    if (name !== undefined) {
      throw new GroupopsError(
        'CONFIG_ERROR',
        `--target ${name}: the config declares no targets (targets: in .groupops/config.yaml); leave --target out to use the one implicit target (api.baseUrl or RABBITPRE_BASE_URL, token RABBITPRE_TOKEN), or declare targets (see docs/config.md)`,
      );
    }
    const fromEnv = nonEmpty(env.RABBITPRE_BASE_URL);
    const baseUrl = fromEnv ?? config.api.baseUrl ?? DEFAULT_BASE_URL;
    const baseUrlFrom = fromEnv !== undefined ? 'RABBITPRE_BASE_URL' : config.api.baseUrl !== undefined ? 'api.baseUrl in the config' : 'the default base URL';
    return {
      name: IMPLICIT_TARGET,
      declared: false,
      baseUrl,
      baseUrlFrom,
      tokenEnv: DEFAULT_TOKEN_ENV,
      ...(config.state !== undefined ? { state: config.state } : {}),
      ...(config.groups !== undefined ? { groups: config.groups } : {}),
    };
  }
  const listed = names.join(', ');
  if (name === undefined) {
    if (names.length > 1) throw new GroupopsError('CONFIG_ERROR', `the config declares several targets (${listed}): choose one with --target NAME`);
  } else if (!Object.hasOwn(targets, name)) {
    const hint = closest(name, names);
    throw new GroupopsError('CONFIG_ERROR', `unknown target "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}: the config declares ${listed}`);
  }
  const chosen = name ?? names[0]!;
  const target = targets[chosen]!;
  return {
    name: chosen,
    declared: true,
    baseUrl: target.baseUrl.trim(),
    baseUrlFrom: `targets.${chosen}.baseUrl in the config`,
    tokenEnv: target.tokenEnv,
    state: target.state,
    ...((target.groups ?? config.groups) !== undefined ? { groups: target.groups ?? config.groups } : {}),
  };
}

/** What the snapshot records of the target: its name and base URL origin. Throws CONFIG_ERROR for a base URL that is not http(s). */
export function targetRecord(target: SelectedTarget): TargetRecord {
  const origin = targetOrigin(target.baseUrl);
  if (origin === undefined) {
    throw new GroupopsError('CONFIG_ERROR', `the base URL from ${target.baseUrlFrom} is not an http(s) URL; expected e.g. ${DEFAULT_BASE_URL}`);
  }
  return { name: target.name, baseUrl: origin };
}

/**
 * Refuses (exit 3) to plan, apply or adopt with a snapshot that belongs to another target: its
 * memberships say nothing about the selected tenant, so a plan against them would claim "No
 * changes" or resend (or delete) what that tenant never held. Says which target the snapshot
 * records, which is selected and where from, and what to do.
 */
export function checkSnapshotTarget(snapshot: TargetEvidence, target: SelectedTarget, statePath: string, action: 'plan' | 'apply'): void {
  const selected = targetRecord(target);
  const recorded = targetMismatch(snapshot, selected);
  if (!recorded) return;
  const belongs = recorded.from === 'recorded' ? `belongs to target ${describeTarget(recorded)}` : `was last applied to ${recorded.baseUrl} (it records no target name yet)`;
  const selectedText = target.declared
    ? `the selected target is ${describeTarget(selected)}`
    : recorded.name !== undefined && recorded.name !== selected.name
      ? `the selected target is the implicit target ${describeTarget(selected)} (no --target)`
      : `${target.baseUrlFrom} points at ${selected.baseUrl}`;
  if (target.declared && recorded.name === IMPLICIT_TARGET && recorded.baseUrl === selected.baseUrl) {
    // The usual way here: the config declared targets after the snapshot was made with the implicit one.
    throw new UnsafePlanError(
      `refusing to ${action}: ${statePath} belongs to the implicit target ${describeTarget(recorded)}, made before the config declared targets, and the selected target is "${target.name}".`,
      `If the snapshot is target "${target.name}"'s, record that with \`groupops adopt --retarget --target ${target.name}\` and commit the snapshot; otherwise give target "${target.name}" its own snapshot (targets.${target.name}.state).`,
    );
  }
  const reason = `refusing to ${action}: ${statePath} ${belongs}, but ${selectedText}: the snapshot's memberships say nothing about that tenant, so a plan against it would be wrong.`;
  const select =
    recorded.name !== undefined && recorded.name !== IMPLICIT_TARGET
      ? `Select the snapshot's target (--target ${recorded.name})`
      : target.declared
        ? `Select the target whose baseUrl is ${recorded.baseUrl}`
        : target.baseUrlFrom === 'RABBITPRE_BASE_URL'
          ? `Unset RABBITPRE_BASE_URL (or point it at ${recorded.baseUrl})`
          : `Use the snapshot's tenant (api.baseUrl: ${recorded.baseUrl} in the config, or RABBITPRE_BASE_URL)`;
  const own = target.declared ? `give target "${target.name}" its own snapshot (targets.${target.name}.state)` : "use that tenant's own snapshot (--state, or a named target: see docs/config.md)";
  const retarget = `groupops adopt --retarget${target.declared ? ` --target ${target.name}` : ''}`;
  const selectedName = target.declared ? `target "${target.name}" at ${selected.baseUrl}` : `the tenant at ${selected.baseUrl}`;
  const override = `${select}, or ${own}. If the snapshot does describe ${selectedName} (the tenant moved, or the target was renamed), record that with \`${retarget}\` and commit the snapshot.`;
  throw new UnsafePlanError(reason, override);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
