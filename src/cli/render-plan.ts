import type { Plan } from '../core/plan.js';
import { renderJson, type AppliedBatch } from '../core/render/json.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { renderText } from '../core/render/text.js';
import type { Format } from './common-options.js';

/** Renders a plan in the chosen format. */
export function renderPlan(
  plan: Plan,
  format: Format,
  options: { color: boolean; mask: boolean; title?: string; batches?: readonly AppliedBatch[]; extra?: Record<string, unknown> },
): string {
  if (format === 'json') return renderJson(plan, { mask: options.mask, ...(options.batches ? { batches: options.batches } : {}), ...(options.extra ? { extra: options.extra } : {}) });
  if (format === 'markdown') return renderMarkdown(plan, { mask: options.mask, ...(options.title ? { title: options.title } : {}) });
  return renderText(plan, { color: options.color, mask: options.mask });
}
