import type { CommonOptions } from './common-options.js';

// The options of the commands whose work lives in a module of its own (loaded when the command
// runs): kept here, apart from the register* files, so that the work imports no register file
// that imports it back.

/** `groupops plan`. */
export interface PlanOptions extends CommonOptions {
  out?: string;
  detailedExitcode?: boolean;
  watch?: boolean;
  pretty?: boolean;
}

/** `groupops apply` (and `groupops github apply`, which runs one). */
export interface ApplyCliOptions extends CommonOptions {
  maxDeletes?: number;
  allowMassDelete?: boolean;
  expectPlan?: string;
  concurrency?: number;
  autoApprove?: boolean;
  pretty?: boolean;
}

/** `groupops github plan`. */
export interface GitHubPlanOptions extends Omit<CommonOptions, 'format'> {
  comment: boolean;
}
