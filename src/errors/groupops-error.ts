/** Codes the command line maps to exit statuses and users can tell apart. */
export type ErrorCode = 'INVALID_INPUT' | 'API_ERROR' | 'UNSAFE_PLAN' | 'STATE_CONFLICT' | 'CONFIG_ERROR' | 'FILE_SYSTEM' | 'INTERNAL' | 'NOT_APPROVED';

/** The base of every error groupops reports on purpose. */
export class GroupopsError extends Error {
  override readonly name: string = 'GroupopsError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
