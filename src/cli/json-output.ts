import { failureOf } from '../core/apply-report.js';
import { errorJson } from '../core/render/apply-report.js';
import { FORMAT_VERSION } from '../core/render/json.js';

/**
 * The JSON document of a command that failed before it had anything else to say (`plan --format
 * json` on invalid input): formatVersion and the error, with every issue of invalid input
 * (schemas/plan-output.schema.json). Values are masked when asked, as in the command's own output.
 */
export function jsonErrorDocument(error: unknown, mask: boolean): string {
  return `${JSON.stringify({ formatVersion: FORMAT_VERSION, error: errorJson(failureOf(error), mask) }, null, 2)}\n`;
}
