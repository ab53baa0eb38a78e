import type { Plan } from '../core/plan.js';
import { textOfChunks } from '../core/render/json-chunks.js';
import { renderJsonChunks, type AppliedBatch } from '../core/render/json.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { renderText } from '../core/render/text.js';
import type { Format } from './common-options.js';
import type { CliIo } from './io.js';

export interface RenderPlanOptions {
  readonly color: boolean;
  readonly mask: boolean;
  readonly title?: string;
  readonly batches?: readonly AppliedBatch[];
  readonly extra?: Record<string, unknown>;
  /** JSON indented for people (see jsonIsPretty). */
  readonly pretty?: boolean;
  /** JSON: the consumer is done with a chunk when it asks for the next (a file written chunk by chunk), so buffers are reused. */
  readonly reuseChunks?: boolean;
}

/**
 * Whether JSON is indented: when asked (`--pretty`), or when it goes to a terminal, where a person
 * reads it; a file or a pipe gets it on one line (less than half the bytes, written faster).
 */
export function jsonIsPretty(io: CliIo, opts: { pretty?: boolean; out?: string }): boolean {
  return opts.pretty === true || (opts.out === undefined && io.stdout.isTTY === true);
}

/** Renders a plan in the chosen format. */
export function renderPlan(plan: Plan, format: Format, options: RenderPlanOptions): string {
  return textOfChunks(renderPlanChunks(plan, format, options));
}

/**
 * renderPlan's text in pieces, to write one after the other: JSON lists every change (hundreds of
 * MiB for a million), and is never held whole; text and Markdown are bounded and come in one piece.
 */
export function renderPlanChunks(plan: Plan, format: Format, options: RenderPlanOptions): Iterable<string | Uint8Array> {
  if (format === 'json')
    return renderJsonChunks(plan, {
      mask: options.mask,
      pretty: options.pretty === true,
      reuseChunks: options.reuseChunks === true,
      ...(options.batches ? { batches: options.batches } : {}),
      ...(options.extra ? { extra: options.extra } : {}),
    });
  if (format === 'markdown') return [renderMarkdown(plan, { mask: options.mask, ...(options.title ? { title: options.title } : {}) })];
  return [renderText(plan, { color: options.color, mask: options.mask })];
}
