import type { Plan } from './plan.js';

/** The delete limits of product.md "Safety": config values, a command-line cap, and the override. */
export interface SafetyLimits {
  /** Refuse when deletes exceed this share of the applied memberships (and `maxDeleteCount`). */
  readonly maxDeletePercent: number;
  /** Refuse when deletes exceed this count (and `maxDeletePercent`). */
  readonly maxDeleteCount: number;
  /** `--max-deletes N`: an absolute cap that replaces both limits above. */
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
  if (limits.allowMassDelete) return undefined;
  const deletes = input.plan.summary.delete;
  const applied = input.appliedMemberships;
  const share = applied === 0 ? 0 : Math.round((deletes * 1000) / applied) / 10;
  const override = `If these deletes are intended, run again with --allow-mass-delete (or --max-deletes ${deletes}).`;
  if (limits.maxDeletes !== undefined) {
    if (deletes <= limits.maxDeletes) return undefined;
    return {
      kind: 'mass-delete',
      reason: `refusing to apply: the plan deletes ${deletes} of ${applied} applied memberships, more than --max-deletes ${limits.maxDeletes}.`,
      override,
    };
  }
  // Integer cross-multiplication: a share compared as a float could flip at the boundary.
  const overPercent = deletes * 100 > applied * limits.maxDeletePercent;
  if (!(overPercent && deletes > limits.maxDeleteCount)) return undefined;
  return {
    kind: 'mass-delete',
    reason:
      `refusing to apply: the plan deletes ${deletes} of ${applied} applied memberships (${share}%), more than the limit ` +
      `(over ${limits.maxDeletePercent}% and over ${limits.maxDeleteCount}; config safety.maxDeletePercent / safety.maxDeleteCount).`,
    override,
  };
}

function checkExpectedPlan(input: SafetyInput): SafetyRefusal | undefined {
  if (input.expectPlan === undefined) return undefined;
  const expected = input.expectPlan.trim().toLowerCase();
  if (expected === input.plan.checksum) return undefined;
  return {
    kind: 'plan-mismatch',
    reason:
      `refusing to apply: the plan about to be applied has checksum ${input.plan.checksum}, not the expected ${expected}; ` +
      'the group files or the snapshot changed since that plan was made.',
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
