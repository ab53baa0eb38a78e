import { GroupopsError } from './groupops-error.js';

/** The applied state moved under us (another apply, a moved branch): refuse rather than overwrite. */
export class StateConflictError extends GroupopsError {
  override readonly name = 'StateConflictError';

  constructor(message: string) {
    super('STATE_CONFLICT', message);
  }
}
