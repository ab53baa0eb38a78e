import type { Change } from '../diff.js';
import { identitiesJson } from '../json-text.js';
import { canonicalGroup, canonicalIdentity, type GroupRef } from '../model.js';
import type { Plan } from '../plan.js';
import { maskValue } from './mask.js';
import { failedRowJson, type AnsweredRequest } from './not-applied.js';
import { jsonChunks, LazyArray } from './json-chunks.js';

/** A request that was sent and answered; status absent means accepted, failed absent means none. */
export type AppliedBatch = Pick<AnsweredRequest, 'op' | 'items'> & Partial<Omit<AnsweredRequest, 'op' | 'items'>>;

export interface JsonOptions {
  readonly mask: boolean;
  /** Filled by apply: the acknowledged requests. */
  readonly batches?: readonly AppliedBatch[];
  /** Extra top-level fields (e.g. apply's status), placed after the plan's. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Indented as `JSON.stringify(doc, null, 2)` (for a terminal, or `--pretty`); else one line, less than half the bytes. */
  readonly pretty?: boolean;
}

/**
 * The version of every JSON document groupops prints (`validate`, `plan`, `apply`, `explain`), described by
 * schemas/*-output.schema.json: the major number changes when a field a script may read changes or
 * goes, the minor one when fields are added.
 */
export const FORMAT_VERSION = '1.1';

/**
 * The plan as one JSON document in a stable order: formatVersion, summary, checksum, changes,
 * planned requests, and (for apply) the batches with their exact decimal batch IDs; in pieces (UTF-8
 * chunks): a plan of a million changes is a hundred MiB or more of JSON,
 * written piece by piece (each change's text made when it is written, straight from the change:
 * its group's text once per group) so that it never exists whole in memory.
 */
export function* renderJsonChunks(plan: Plan, options: JsonOptions): Generator<Uint8Array> {
  const id = (i: ReturnType<typeof canonicalIdentity>) => (options.mask ? { ...i, value: maskValue(i.value) } : i);
  yield* jsonChunks(
    [
      ['formatVersion', FORMAT_VERSION],
      ['summary', plan.summary],
      ['checksum', plan.checksum],
      [
        'changes',
        new LazyArray(
          plan.changes,
          (c) => ({
            op: c.op,
            group: jsonGroup(c.group),
            member: { identities: c.member.identities.map(canonicalIdentity).map(id) },
            ...(c.previous ? { previous: { identities: c.previous.identities.map(canonicalIdentity).map(id) } } : {}),
          }),
          changeText(options.mask),
        ),
      ],
      [
        'requests',
        plan.batches.map((b) => ({
          op: b.op,
          ...(b.target === 'customer' ? { target: 'customer' } : {}),
          items: b.items.length,
          memberships: b.items.reduce((n, i) => n + i.groups.length, 0),
        })),
      ],
      [
        'batches',
        (options.batches ?? []).map((b) => ({
          op: b.op,
          items: b.items,
          ...(b.batchId !== undefined ? { batchId: b.batchId } : {}),
          ...(b.target === 'customer' ? { target: 'customer' } : {}),
          ...(b.status !== undefined && b.status !== 'accepted' ? { status: b.status } : {}),
          ...(b.failed && b.failed.length > 0 ? { failed: b.failed.map((row) => failedRowJson(row, options.mask)) } : {}),
          ...(b.message !== undefined && b.status !== undefined && b.status !== 'accepted' ? { message: b.message } : {}),
        })),
      ],
      ...Object.entries(options.extra ?? {}),
    ],
    options.pretty === true,
  );
}

/**
 * A change's compact JSON text, exactly `JSON.stringify` of the object renderJsonChunks maps it to,
 * written directly: the changes of a group come one after the other, so the group's text is made
 * once per group, and identities are written by identitiesJson.
 */
function changeText(mask: boolean): (c: Change) => string {
  const value = mask ? maskValue : undefined;
  let group: GroupRef | undefined;
  // Everything before the member's identities, per operation: written once per group.
  let addHead = '';
  let deleteHead = '';
  return (c) => {
    if (c.group !== group) {
      group = c.group;
      const groupText = JSON.stringify(jsonGroup(group));
      addHead = `{"op":"add","group":${groupText},"member":{"identities":`;
      deleteHead = `{"op":"delete","group":${groupText},"member":{"identities":`;
    }
    const head = c.op === 'add' ? addHead : deleteHead;
    if (!c.previous) return `${head}${identitiesJson(c.member.identities, value)}}}`;
    return `${head}${identitiesJson(c.member.identities, value)}},"previous":{"identities":${identitiesJson(c.previous.identities, value)}}}`;
  };
}

/** A group as the JSON documents write it: `{ name, category, department? }`, or `{ name, kind: "customer" }`. */
export function jsonGroup(group: Plan['changes'][number]['group']): Record<string, unknown> {
  if (group.kind === 'customer') return { name: group.name, kind: 'customer' };
  const g = canonicalGroup(group);
  return g.department ? { name: g.name, category: g.category, department: { [g.department.field]: g.department.value } } : { name: g.name, category: g.category };
}
