import { GroupopsError } from './groupops-error.js';

/** Something that should not happen: a bug in groupops. */
export class InternalError extends GroupopsError {
  override readonly name = 'InternalError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', `internal error (this is a bug in groupops): ${message}`, options);
  }
}
