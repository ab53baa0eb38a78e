import { GroupopsError } from './groupops-error.js';

/**
 * An apply that was not approved: the user answered anything but `yes`, or there was no terminal to
 * ask on and neither --auto-approve nor CI said to go ahead. Nothing was sent and nothing written.
 */
export class NotApprovedError extends GroupopsError {
  override readonly name = 'NotApprovedError';

  constructor(message: string) {
    super('NOT_APPROVED', message);
  }
}
