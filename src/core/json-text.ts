import type { Identity } from './model.js';

/**
 * True for the digits of a non-negative integer as JSON writes it (no sign, no leading zero, no
 * exponent): how batch IDs and deptIds beyond 2^53 travel as exact text.
 */
export function isLongDigits(text: string): boolean {
  return LONG_DIGITS.test(text);
}

const LONG_DIGITS = /^(0|[1-9][0-9]*)$/;

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON text, exactly as JSON.stringify writes it; plain text skips the general path. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * Exactly `JSON.stringify(identities.map(canonicalIdentity))` (fields in canonical order, absent
 * ones left out), written directly: snapshots, checksums and JSON plans serialize a million of
 * these. `value` rewrites each value first (a JSON plan's masking).
 */
export function identitiesJson(identities: readonly Identity[], value?: (value: string) => string): string {
  const first = identities[0];
  // The common member: one identity, its type and value only.
  if (identities.length === 1 && first!.platform === undefined && first!.appid === undefined && first!.isWeChatEcosystem === undefined) {
    return `${typeHead(first!.type)}${jsonString(value ? value(first!.value) : first!.value)}}]`;
  }
  let out = '[';
  for (let i = 0; i < identities.length; i++) {
    const id = identities[i]!;
    out += `${i > 0 ? ',' : ''}{"type":${jsonString(id.type)},"value":${jsonString(value ? value(id.value) : id.value)}`;
    if (id.platform !== undefined) out += `,"platform":${jsonString(id.platform)}`;
    if (id.appid !== undefined) out += `,"appid":${jsonString(id.appid)}`;
    if (id.isWeChatEcosystem !== undefined) out += `,"isWeChatEcosystem":${id.isWeChatEcosystem}`;
    out += '}';
  }
  return `${out}]`;
}

/** `[{"type":"phone","value":` per type: a run has a handful of types. */
const typeHeads = new Map<string, string>();

function typeHead(type: string): string {
  let head = typeHeads.get(type);
  if (head === undefined) {
    head = `[{"type":${jsonString(type)},"value":`;
    if (typeHeads.size < 256) typeHeads.set(type, head);
  }
  return head;
}
