import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../src/sandbox/prng.js';

/** A synthetic tenant: what was written and what the plan of it must come to. */
export interface Tenant {
  readonly dir: string;
  readonly memberships: number;
  readonly groups: number;
  readonly bytes: number;
  /** Items of a first apply (one per person and context): the request lower bound is ceil(items / 500). */
  readonly items: number;
  /** A group file holding one small group, for the watch and one-member-change measurements. */
  readonly smallFile: string;
}

/** yaml: members in the group files; csv: in CSV lists, rows in key order; csv-shuffled: the same lists, rows in random order (as a CRM export by customer ID is). */
export type Variant = 'yaml' | 'csv' | 'csv-shuffled';

/**
 * Writes a tenant of about `memberships` memberships under `dir/groups`: a few huge groups (60% of
 * the memberships, three groups) and many small ones of 500 members, some of them department
 * groups; persons overlap across groups, so items merge groups. Members mix the forms people write:
 * phone shorthands, openids with platform and appid, full-form members with two identities. The
 * csv variants keep every member list in CSV files referenced by `memberFiles:`.
 */
export function generateTenant(dir: string, memberships: number, variant: Variant): Tenant {
  rmSync(dir, { recursive: true, force: true });
  const groupsDir = join(dir, 'groups');
  mkdirSync(join(groupsDir, 'huge'), { recursive: true });
  mkdirSync(join(groupsDir, 'small'), { recursive: true });
  const hugeSize = Math.floor((memberships * 0.2) / 1) || 1;
  const smallCount = Math.max(1, Math.round((memberships - 3 * hugeSize) / 500));
  const population = Math.ceil(memberships * 0.7);
  const contexts = new Map<string, Set<number>>();
  let bytes = 0;
  let total = 0;
  let smallFile = '';
  const random = seededRandom(1);
  const write = (rel: string, text: string) => {
    writeFileSync(join(groupsDir, rel), text);
    bytes += Buffer.byteLength(text);
  };
  const group = (rel: string, name: string, dept: string | undefined, persons: number[]) => {
    const ctx = dept ?? 'enterprise';
    let seen = contexts.get(ctx);
    if (!seen) contexts.set(ctx, (seen = new Set()));
    for (const p of persons) seen.add(p);
    total += persons.length;
    const head = [`# yaml-language-server: $schema=../../../schemas/group.schema.json`, `name: ${name}`];
    if (dept) head.push('category: department', 'department:', `  wxDeptId: "${dept}"`);
    if (variant !== 'yaml') {
      const csv = rel.replace(/\.yaml$/, '.csv');
      const rows = persons.map(csvRow);
      if (variant === 'csv-shuffled') shuffle(rows, random);
      write(rel, [...head, 'memberFiles:', `  - ${csv.split('/').pop()}`, ''].join('\n'));
      write(csv, ['phone,unionid,openid,openid.platform,openid.appid,openid.isWeChatEcosystem', ...rows, ''].join('\n'));
    } else write(rel, [...head, 'members:', ...persons.flatMap(yamlMember), ''].join('\n'));
  };
  for (let h = 0; h < 3; h++) {
    group(`huge/all-customers-${h}.yaml`, `全部客户-${h}`, undefined, range(h * Math.floor(population / 4), hugeSize, population));
  }
  for (let s = 0; s < smallCount; s++) {
    const dept = s % 10 === 9 ? String(1000 + (s % 50)) : undefined;
    const rel = `small/segment-${String(s).padStart(5, '0')}.yaml`;
    if (s === 0) smallFile = join(groupsDir, rel);
    group(rel, `客户分群-${s}`, dept, range((s * 7919) % population, Math.min(500, population), population));
  }
  let items = 0;
  for (const seen of contexts.values()) items += seen.size;
  return { dir, memberships: total, groups: 3 + smallCount, bytes, items, smallFile };
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function range(start: number, count: number, modulo: number): number[] {
  return Array.from({ length: count }, (_, i) => (start + i) % modulo);
}

const phone = (p: number) => `1${String(3800000000 + p).padStart(10, '0')}`;

/** One person's member as YAML lines: the form depends on the person, so a person is the same member everywhere. */
function yamlMember(p: number): string[] {
  if (p % 10 === 3) return [`  - openid: o6_bmjrPTlm6_${p.toString(36)}`, '    platform: gzh', '    appid: wx1234567890abcdef', '    isWeChatEcosystem: true'];
  if (p % 10 === 7) return ['  - identities:', `      - { type: unionid, value: oUpF8uMuAJO_${p.toString(36)} }`, `      - { type: phone, value: "${phone(p)}" }`];
  return [`  - phone: "${phone(p)}"`];
}

/** The same person as a CSV row (phone,unionid,openid,openid.platform,openid.appid,openid.isWeChatEcosystem): the key is the first column. */
function csvRow(p: number): string {
  return `${phone(p)},${p % 10 === 7 ? `oUpF8uMuAJO_${p.toString(36)}` : ''},${p % 10 === 3 ? `o6_bmjrPTlm6_${p.toString(36)},gzh,wx1234567890abcdef,true` : ',,,'}`;
}
