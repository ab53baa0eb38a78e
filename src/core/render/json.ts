import type { Change } from '../diff.js';
import { canonicalGroup, canonicalIdentity, type GroupRef, type Identity } from '../model.js';
import type { Plan } from '../plan.js';
import { maskValue } from './mask.js';
import { failedRowJson, type AnsweredRequest } from './not-applied.js';
import { jsonChunks, LazyArray, type Utf8Chunks } from './json-chunks.js';

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
  /** The consumer is done with a chunk when it asks for the next: its buffer is reused (see Utf8Chunks). */
  readonly reuseChunks?: boolean;
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
          changeWriter(options.mask),
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
    options.reuseChunks === true,
  );
}

/**
 * Writes a change's compact JSON, exactly the UTF-8 of `JSON.stringify` of the object
 * renderJsonChunks maps it to, straight into the output: the changes of a group come one after
 * the other, so everything before the member's identities is encoded once per group and copied
 * for each change; only the identities are written per change. A million changes (175 MB): 1.1 s
 * as template strings encoded a few dozen at a time, 0.67 s this way (rendering alone, median of 7).
 */
function changeWriter(mask: boolean): (c: Change, out: Utf8Chunks) => void {
  const value = mask ? maskValue : undefined;
  let group: GroupRef | undefined;
  let addHead = new Uint8Array();
  let deleteHead = new Uint8Array();
  return (c, out) => {
    if (c.group !== group) {
      group = c.group;
      const groupText = JSON.stringify(jsonGroup(group));
      addHead = encoder.encode(`{"op":"add","group":${groupText},"member":{"identities":`);
      deleteHead = encoder.encode(`{"op":"delete","group":${groupText},"member":{"identities":`);
    }
    out.bytes(c.op === 'add' ? addHead : deleteHead);
    writeIdentities(out, c.member.identities, value);
    if (c.previous) {
      out.bytes(PREVIOUS);
      writeIdentities(out, c.previous.identities, value);
    }
    out.bytes(CLOSE);
  };
}

const encoder = new TextEncoder();
const PREVIOUS = encoder.encode('},"previous":{"identities":');
const CLOSE = encoder.encode('}}');
const PLATFORM = encoder.encode(',"platform":');
const APPID = encoder.encode(',"appid":');
const WECHAT = encoder.encode(',"isWeChatEcosystem":true}');
const NOT_WECHAT = encoder.encode(',"isWeChatEcosystem":false}');

/** As identitiesJson (`JSON.stringify(identities.map(canonicalIdentity))`), written as UTF-8 into `out`. */
function writeIdentities(out: Utf8Chunks, identities: readonly Identity[], value: ((value: string) => string) | undefined): void {
  for (let i = 0; i < identities.length; i++) {
    const id = identities[i]!;
    out.ascii(i === 0 ? 0x5b : 0x2c); // [ or ,
    out.bytes(typeHead(id.type));
    out.jsonString(value ? value(id.value) : id.value);
    if (id.platform !== undefined) {
      out.bytes(PLATFORM);
      out.jsonString(id.platform);
    }
    if (id.appid !== undefined) {
      out.bytes(APPID);
      out.jsonString(id.appid);
    }
    // The closing brace, after isWeChatEcosystem when it is given.
    if (id.isWeChatEcosystem !== undefined) out.bytes(id.isWeChatEcosystem ? WECHAT : NOT_WECHAT);
    else out.ascii(0x7d);
  }
  out.ascii(0x5d); // ]
}

/** `{"type":"phone","value":` as UTF-8, per type: a plan has a handful of types. */
const typeHeads = new Map<string, Uint8Array>();

function typeHead(type: string): Uint8Array {
  let head = typeHeads.get(type);
  if (head === undefined) {
    head = encoder.encode(`{"type":${JSON.stringify(type)},"value":`);
    if (typeHeads.size < 256) typeHeads.set(type, head);
  }
  return head;
}

/** A group as the JSON documents write it: `{ name, category, department? }`, or `{ name, kind: "customer" }`. */
export function jsonGroup(group: Plan['changes'][number]['group']): Record<string, unknown> {
  if (group.kind === 'customer') return { name: group.name, kind: 'customer' };
  const g = canonicalGroup(group);
  return g.department ? { name: g.name, category: g.category, department: { [g.department.field]: g.department.value } } : { name: g.name, category: g.category };
}
