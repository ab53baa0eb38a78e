import type { SourceIssue } from '../errors/index.js';
import { RESERVED_KEYS } from './group-wording.js';
import { BUILTIN_TYPE_NAMES, DEFAULT_IDENTITY_TYPES, identityTypeRules, wholeValuePattern, type IdentityTypeSettings } from './identity-types.js';
import type { Wording } from './schema-issues.js';
import { keyPositionOf, positionOf, type YamlSource } from './yaml-source.js';

/** `identityTypes:` of a schema-valid config, as written. */
export interface IdentityTypesInput {
  readonly custom?: readonly string[];
  readonly patterns?: Readonly<Record<string, string>>;
}

/** The settings a config gives: its custom types, and its patterns over the default phone pattern. */
export function identityTypeSettingsOf(input: IdentityTypesInput | undefined): IdentityTypeSettings {
  if (!input) return DEFAULT_IDENTITY_TYPES;
  return { custom: [...(input.custom ?? [])], patterns: { ...DEFAULT_IDENTITY_TYPES.patterns, ...input.patterns } };
}

/**
 * What the schema cannot say about `identityTypes:`: a custom type named like a member field, a
 * pattern for a type that is neither built in nor declared (a typo would leave the real type
 * unchecked), and a pattern that is not a valid regular expression; each at its place.
 */
export function identityTypeConfigIssues(source: YamlSource, input: IdentityTypesInput | undefined): SourceIssue[] {
  if (!input) return [];
  const issues: SourceIssue[] = [];
  (input.custom ?? []).forEach((name, i) => {
    if (RESERVED_KEYS.has(name)) {
      issues.push({ file: source.file, ...positionOf(source, ['identityTypes', 'custom', i]), message: `identityTypes.custom: "${name}" is a member field, not an identity type: remove it` });
    }
  });
  const rules = identityTypeRules(identityTypeSettingsOf({ ...(input.custom ? { custom: input.custom } : {}) }));
  for (const [type, pattern] of Object.entries(input.patterns ?? {})) {
    if (!rules.isKnown(type)) {
      const hint = rules.suggest(type);
      const message = `identityTypes.patterns: "${type}" is not an identity type${hint ? ` (did you mean "${hint}"?)` : ''}: the built-in types are ${BUILTIN_TYPE_NAMES.join(', ')}; declare the tenant's own under identityTypes.custom`;
      issues.push({ file: source.file, ...keyPositionOf(source, ['identityTypes', 'patterns'], type), message });
      continue;
    }
    try {
      wholeValuePattern(pattern);
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
      issues.push({
        file: source.file,
        ...positionOf(source, ['identityTypes', 'patterns', type]),
        message: `identityTypes.patterns.${type} is not a valid regular expression (${why}): fix it (a JavaScript regular expression, matched against the whole value)`,
      });
    }
  }
  return issues;
}

/** Config wording for the schema errors of `identityTypes:`. */
export const identityTypesWording: Wording = (e, path, _field) => {
  if (path[0] !== 'identityTypes') return undefined;
  if (path[1] === 'custom' && path.length === 3 && e.keyword === 'pattern') {
    return 'identityTypes.custom: an identity type starts with a letter, then letters, digits or _ (as configured on the platform under 用户 → 身份类型管理)';
  }
  if (path[1] === 'custom' && path.length === 2 && e.keyword === 'uniqueItems') return 'identityTypes.custom lists a type twice: keep one';
  return undefined;
};
