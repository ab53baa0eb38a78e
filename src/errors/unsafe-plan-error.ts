import { GroupopsError } from './groupops-error.js';

/** A plan that a safety limit refuses to apply; `override` tells the user how to proceed on purpose. */
export class UnsafePlanError extends GroupopsError {
  override readonly name = 'UnsafePlanError';
  readonly override: string;

  constructor(reason: string, override: string) {
    super('UNSAFE_PLAN', `${reason}\n${override}`);
    this.override = override;
  }
}
