import type { Plan } from '../core/plan.js';
import { renderJsonChunks, type AppliedBatch } from '../core/render/json.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { renderText } from '../core/render/text.js';
import type { Format } from './common-options.js';

export interface RenderPlanOptions {
  readonly color: boolean;
  readonly mask: boolean;
  readonly title?: string;
  readonly batches?: readonly AppliedBatch[];
  readonly extra?: Record<string, unknown>;
}

/** Renders a plan in the chosen format. */
export function renderPlan(plan: Plan, format: Format, options: RenderPlanOptions): string {
  return [...renderPlanChunks(plan, format, options)].join('');
}

/**
 * renderPlan's text in pieces, to write one after the other: JSON lists every change (hundreds of
 * MiB for a million), and is never held whole; text and Markdown are bounded and come in one piece.
 */
export function renderPlanChunks(plan: Plan, format: Format, options: RenderPlanOptions): Iterable<string> {
  if (format === 'json') return renderJsonChunks(plan, { mask: options.mask, ...(options.batches ? { batches: options.batches } : {}), ...(options.extra ? { extra: options.extra } : {}) });
  if (format === 'markdown') return [renderMarkdown(plan, { mask: options.mask, ...(options.title ? { title: options.title } : {}) })];
  return [renderText(plan, { color: options.color, mask: options.mask })];
}
