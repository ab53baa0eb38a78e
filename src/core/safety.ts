import type { Plan } from './plan.js';

/** The delete limits of product.md "Safety": config values, a command-line cap, and the override. */
export interface SafetyLimits {
  /** The share rule: refuse when deletes exceed this share of the applied memberships (and `maxDeleteCount`). */
  readonly maxDeletePercent: number;
  /** The share rule: refuse when deletes exceed this count (and `maxDeletePercent`). */
  readonly maxDeleteCount: number;
  /** The absolute cap: refuse more deletes than this, whatever their share (absent: no cap). */
  readonly maxDeleteTotal?: number;
  /** `--max-deletes N`: an absolute cap that replaces the three limits above. */
  readonly maxDeletes?: number;
  /** `--allow-mass-delete`: the user accepts any number of deletes. */
  readonly allowMassDelete: boolean;
}

/** What the checks need to know besides the plan. */
export interface SafetyInput {
  readonly plan: Plan;
  /** Memberships the snapshot records as applied. */
  readonly appliedMemberships: number;
  /** The groups folder as the user named it, and what it holds. */
  readonly desired: { readonly dir: string; readonly folderExists: boolean; readonly memberships: number };
  /** `--expect-plan SHA256`: the checksum of the reviewed plan. */
  readonly expectPlan?: string;
}

export type RefusalKind = 'missing-groups' | 'empty-groups' | 'mass-delete' | 'plan-mismatch';

/** Why an apply is refused, and how to proceed on purpose. */
export interface SafetyRefusal {
  readonly kind: RefusalKind;
  readonly reason: string;
  readonly override: string;
  /** For `mass-delete`: which delete rule fired, with its numbers (for renderers that say it their own way). */
  readonly deletes?: DeleteVerdict;
}

/** A delete rule that the plan breaks, with the limit it is held to. */
export type DeleteRule =
  /** The share rule: more than `maxDeletePercent`% of the applied memberships and more than `maxDeleteCount`. */
  | { readonly rule: 'share'; readonly maxDeletePercent: number; readonly maxDeleteCount: number }
  /** The absolute cap of the config: more than `maxDeleteTotal` deletes. */
  | { readonly rule: 'total'; readonly maxDeleteTotal: number }
  /** The command line's `--max-deletes N`, which replaces the two above. */
  | { readonly rule: 'max-deletes'; readonly maxDeletes: number };

/** How a plan's deletes stand against the delete limits. */
export interface DeleteVerdict {
  readonly deletes: number;
  /** Memberships the snapshot records as applied. */
  readonly applied: number;
  /** deletes / applied in percent, rounded to one decimal (0 when nothing is applied). */
  readonly sharePercent: number;
  /** The rules the deletes break (empty: within every limit). */
  readonly broken: readonly DeleteRule[];
  /** True when rules are broken but `--allow-mass-delete` accepts them. */
  readonly allowed: boolean;
}

/**
 * Weighs a plan's deletes against the delete limits: every rule it breaks, with the numbers. Pure,
 * so that the PR comment can say before a merge what an apply would say after it.
 */
export function evaluateDeletes(deletes: number, applied: number, limits: SafetyLimits): DeleteVerdict {
  const sharePercent = applied === 0 ? 0 : Math.round((deletes * 1000) / applied) / 10;
  const broken: DeleteRule[] = [];
  if (limits.maxDeletes !== undefined) {
    if (deletes > limits.maxDeletes) broken.push({ rule: 'max-deletes', maxDeletes: limits.maxDeletes });
  } else {
    // Integer cross-multiplication: a share compared as a float could flip at the boundary.
    if (deletes * 100 > applied * limits.maxDeletePercent && deletes > limits.maxDeleteCount) {
      broken.push({ rule: 'share', maxDeletePercent: limits.maxDeletePercent, maxDeleteCount: limits.maxDeleteCount });
    }
    if (limits.maxDeleteTotal !== undefined && deletes > limits.maxDeleteTotal) broken.push({ rule: 'total', maxDeleteTotal: limits.maxDeleteTotal });
  }
  return { deletes, applied, sharePercent, broken, allowed: broken.length > 0 && limits.allowMassDelete };
}

/** A broken rule in words: `more than 25% and more than 20 (config safety.maxDeletePercent, safety.maxDeleteCount)`. */
export function describeDeleteRule(rule: DeleteRule): string {
  switch (rule.rule) {
    case 'share':
      return `more than ${rule.maxDeletePercent}% of them and more than ${rule.maxDeleteCount} (the share limit: config safety.maxDeletePercent and safety.maxDeleteCount)`;
    case 'total':
      return `more than ${rule.maxDeleteTotal} in total (the absolute cap: config safety.maxDeleteTotal)`;
    case 'max-deletes':
      return `more than --max-deletes ${rule.maxDeletes}`;
  }
}

/**
 * Checks a plan against product.md's safety rules before anything is sent. Returns the first
 * refusal, or undefined when the plan may be applied. A missing groups folder cannot be overridden
 * by a flag: a mistyped `--groups` must never delete everything, so the user creates the folder.
 */
export function checkSafety(input: SafetyInput, limits: SafetyLimits): SafetyRefusal | undefined {
  return checkDesiredPresent(input, limits) ?? checkDeleteLimit(input, limits) ?? checkExpectedPlan(input);
}

function checkDesiredPresent(input: SafetyInput, limits: SafetyLimits): SafetyRefusal | undefined {
  const { desired, appliedMemberships } = input;
  if (appliedMemberships === 0) return undefined;
  if (!desired.folderExists) {
    return {
      kind: 'missing-groups',
      reason: `refusing to apply: the groups folder "${desired.dir}" does not exist, so the plan would delete all ${appliedMemberships} applied memberships.`,
      override: `Run in the repository root or pass --groups DIR. To delete every membership on purpose, create "${desired.dir}" empty and run again with --allow-mass-delete.`,
    };
  }
  if (desired.memberships === 0 && !limits.allowMassDelete) {
    return {
      kind: 'empty-groups',
      reason: `refusing to apply: the groups folder "${desired.dir}" declares no memberships, so the plan would delete all ${appliedMemberships} applied memberships.`,
      override: 'If every membership should go, run again with --allow-mass-delete.',
    };
  }
  return undefined;
}

function checkDeleteLimit(input: SafetyInput, limits: SafetyLimits): SafetyRefusal | undefined {
  const verdict = evaluateDeletes(input.plan.summary.delete, input.appliedMemberships, limits);
  if (verdict.broken.length === 0 || verdict.allowed) return undefined;
  const { deletes, applied, sharePercent } = verdict;
  const configs = verdict.broken.flatMap((r) => (r.rule === 'share' ? ['safety.maxDeletePercent / safety.maxDeleteCount'] : r.rule === 'total' ? ['safety.maxDeleteTotal'] : []));
  return {
    kind: 'mass-delete',
    reason: `refusing to apply: the plan deletes ${deletes} of ${applied} applied memberships (${sharePercent}%), ${verdict.broken.map(describeDeleteRule).join('; and ')}.`,
    override: `If these deletes are intended, run again with --allow-mass-delete (or --max-deletes ${deletes})` + (configs.length > 0 ? `, or raise ${configs.join(' and ')} in the config.` : '.'),
    deletes: verdict,
  };
}

function checkExpectedPlan(input: SafetyInput): SafetyRefusal | undefined {
  if (input.expectPlan === undefined) return undefined;
  const expected = input.expectPlan.trim().toLowerCase();
  if (expected === input.plan.checksum) return undefined;
  return {
    kind: 'plan-mismatch',
    reason: `refusing to apply: the plan about to be applied has checksum ${input.plan.checksum}, not the expected ${expected}; ` + 'the group files or the snapshot changed since that plan was made.',
    override: 'Review the current plan (groupops plan) and pass its checksum to --expect-plan, or drop --expect-plan.',
  };
}

/** What the apply on merge would say about a plan, shown to its reviewers before anyone merges. */
export interface SafetyVerdict {
  /** The refusal the apply would make with the repository's limits and no override; absent: it would go ahead. */
  readonly refusal?: SafetyRefusal;
  /** Memberships the plan deletes, and the memberships applied now. */
  readonly deletes: number;
  readonly applied: number;
}

/** A plan as a PR's reviewers see it: with the verdict of the safety limits the apply on merge checks. */
export interface ReviewedPlan {
  readonly plan: Plan;
  readonly safety?: SafetyVerdict;
}

/** The verdict of checkSafety on a plan, as the apply on merge would reach it (no override given). */
export function safetyVerdict(input: SafetyInput, limits: SafetyLimits): SafetyVerdict {
  const refusal = checkSafety(input, limits);
  return { ...(refusal ? { refusal } : {}), deletes: input.plan.summary.delete, applied: input.appliedMemberships };
}
