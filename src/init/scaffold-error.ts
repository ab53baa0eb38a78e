import { GroupopsError } from '../errors/index.js';

/** `groupops init` cannot write its files: a path taken by a folder, a folder that cannot be written. */
export class ScaffoldError extends GroupopsError {
  override readonly name = 'ScaffoldError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_ERROR', message, options);
  }
}
