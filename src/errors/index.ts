export { GroupopsError, type ErrorCode } from './groupops-error.js';
export { InvalidInputError } from './invalid-input-error.js';
export { UnsafePlanError } from './unsafe-plan-error.js';
export { NotApprovedError } from './not-approved-error.js';
export { StateConflictError } from './state-conflict-error.js';
export { InternalError } from './internal-error.js';
export { FileSystemError } from './file-system-error.js';
export { ApiError, type ApiFailureKind } from './api-error.js';
export { formatIssue, sortIssues, type SourceIssue } from './source-issue.js';
