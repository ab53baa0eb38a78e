import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../src/sandbox/prng.js';
import type { Tenant } from './generate.js';

/**
 * The bench's second, independent tenant: written the way many hands write group files, in every
 * form docs/group-files.md documents, in proportions a real tenant might have rather than the ones
 * the fast reader likes best. A few huge groups, some large ones and many small ones of uneven
 * size; members in random order (nobody sorts a hand-written list); persons shared between groups;
 * user, department (wxDeptId, thirdDeptId, integer deptId) and customer groups; descriptions plain,
 * quoted, `|` and `>` with chomping indicators; comments at the top, between members and after
 * values; quoted and plain values; shorthand members with and without platform/appid/
 * isWeChatEcosystem, flow-style members, full-form members with two or three identities in flow and
 * block style; three indentation habits. The csv variant keeps each group's members in one CSV list
 * (columns in one of a few orders, qualifier columns, rows in random order, a few lists quoting
 * their cells as spreadsheets do) next to a group file with the same headers.
 */
export type MixedVariant = 'yaml' | 'csv';

/** What the mixed tenant adds to a Tenant: its CSV lists, and the request bound per endpoint. */
export interface MixedTenant extends Tenant {
  readonly yamlFiles: readonly string[];
  readonly csvFiles: readonly string[];
  /** ceil(user items / 500) + ceil(customer items / 500): user and customer items never share a request. */
  readonly requestBound: number;
}

interface Identity {
  readonly type: string;
  readonly value: string;
  readonly platform?: string;
  readonly appid?: string;
  readonly isWeChatEcosystem?: boolean;
}

const APPIDS = ['wx1234567890abcdef', 'wx0fedcba987654321', 'wx5a5a5a5a5a5a5a5a'];
const phoneOf = (p: number) => `1${String(3000000000 + ((p * 7919) % 999999999)).padStart(10, '0')}`;

/** Person p of the user population: their identities, the same in every group they are in. */
function userPerson(p: number, csv: boolean): Identity[] {
  const h = hash(p);
  const r = h % 100;
  const unionid = (h >>> 8) % 100 < 25 ? { type: 'unionid', value: `oUpF8u${p.toString(36)}MuAJO` } : undefined;
  const phone = { type: 'phone', value: phoneOf(p) };
  const openid: Identity = {
    type: 'openid',
    value: `o6_bmjrP${p.toString(36)}_2sgVt7hM`,
    platform: (h >>> 4) % 3 === 0 ? 'mp' : 'gzh',
    appid: APPIDS[(h >>> 6) % 3]!,
    isWeChatEcosystem: (h >>> 9) % 10 !== 0,
  };
  if (csv) {
    // Lists are exports keyed by phone: the other identities ride along in their columns.
    const ids: Identity[] = [phone];
    if (unionid) ids.push(unionid);
    if (r >= 60 && r < 80) ids.push(openid);
    if (r >= 90) ids.push({ type: 'thirdId', value: `crm-${p}` });
    return ids;
  }
  if (r < 52) return (h >>> 12) % 100 < 12 ? [phone, ...(unionid ? [unionid] : [{ type: 'unionid', value: `oUpF8u${p.toString(36)}MuAJO` }])] : [phone];
  if (r < 66) return (h >>> 12) % 100 < 20 ? [openid, ...(unionid ? [unionid] : []), phone] : [openid];
  if (r < 76) return unionid ? [unionid, phone] : [{ type: 'unionid', value: `oUpF8u${p.toString(36)}MuAJO` }];
  if (r < 84) return [{ type: 'thirdId', value: (h >>> 3) % 2 ? `EMP-${p}` : `crm_${p.toString(36)}` }];
  if (r < 90) return [{ type: 'workwechat_userid', value: `zhang.${p.toString(36)}`, platform: 'workwechat' }];
  return [phone, { type: 'unionid', value: `oUpF8u${p.toString(36)}MuAJO` }, openid];
}

/** Person p of the customer population. */
function customerPerson(p: number): Identity[] {
  const h = hash(p + 0x5bd1e995);
  const id = { type: 'audienceUserId', value: `C${String(p).padStart(9, '0')}` };
  if (h % 10 < 2) return [id, { type: 'phone', value: phoneOf(p + 500_000_000) }];
  if (h % 10 < 3) return [id, { type: 'unionid', value: `oCus${p.toString(36)}` }];
  return [id];
}

function hash(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

interface GroupPlan {
  readonly kind: 'user' | 'department' | 'customer';
  readonly size: number;
  readonly department?: { field: 'wxDeptId' | 'thirdDeptId' | 'deptId'; value: string };
}

/**
 * Writes the tenant of about `memberships` memberships under `dir/groups`. Deterministic (seeded):
 * the same size gives the same files.
 */
export function generateMixedTenant(dir: string, memberships: number, variant: MixedVariant): MixedTenant {
  rmSync(dir, { recursive: true, force: true });
  const groupsDir = join(dir, 'groups');
  const random = seededRandom(0x7e4a47 ^ memberships);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const csv = variant === 'csv';

  // Group sizes: two huge groups (10% of the memberships each), large ones of about 15k (30%), and
  // the rest in groups of 50 to 850 (about 450 on average); a group's kind is drawn per group.
  const plans: GroupPlan[] = [];
  let left = memberships;
  const add = (size: number, kind: GroupPlan['kind']): void => {
    const s = Math.max(1, Math.min(size, left));
    left -= s;
    plans.push({ kind, size: s, ...(kind === 'department' ? { department: departmentOf() } : {}) });
  };
  const departmentOf = (): NonNullable<GroupPlan['department']> => {
    const d = Math.floor(random() * 40);
    const r = random();
    if (r < 0.4) return { field: 'wxDeptId', value: String(1000 + d) };
    if (r < 0.7) return { field: 'thirdDeptId', value: `dept-${d}` };
    return { field: 'deptId', value: String(40000 + d) };
  };
  for (let i = 0; i < 2 && left > 0; i++) add(Math.round(memberships * 0.1), 'user');
  for (let large = Math.round(memberships * 0.3); large > 0 && left > 0; large -= 15_000) add(Math.min(15_000, large), chance(0.2) ? 'department' : chance(0.1) ? 'customer' : 'user');
  while (left > 0) {
    const r = random();
    add(50 + Math.floor(random() * 800), r < 0.15 ? 'department' : r < 0.25 ? 'customer' : 'user');
  }

  // Persons: a random order of each population; a group takes a stretch of it from a random start,
  // so groups overlap (and a person's memberships merge into one request item per context).
  const userPopulation = Math.ceil(memberships * 0.55);
  const customerPopulation = Math.max(1000, Math.ceil(memberships * 0.1));
  const userOrder = permutation(userPopulation, random);
  const customerOrder = permutation(customerPopulation, random);

  const yamlFiles: string[] = [];
  const csvFiles: string[] = [];
  const itemsByContext = new Map<string, Set<number>>();
  let bytes = 0;
  let total = 0;
  let smallFile = '';
  const write = (rel: string, text: string): void => {
    const path = join(groupsDir, rel);
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
    (rel.endsWith('.csv') ? csvFiles : yamlFiles).push(path);
  };
  const folders = ['marketing', 'crm/exports', 'departments', 'customers', 'events/2024', 'events/2025'];
  for (const f of folders) mkdirSync(join(groupsDir, f), { recursive: true });

  plans.forEach((plan, g) => {
    const customer = plan.kind === 'customer';
    const order = customer ? customerOrder : userOrder;
    const start = Math.floor(random() * order.length);
    const persons: number[] = new Array<number>(Math.min(plan.size, order.length));
    for (let i = 0; i < persons.length; i++) persons[i] = order[(start + i) % order.length]!;
    total += persons.length;
    const ctx = customer ? '~customer' : plan.department ? `${plan.department.field}=${plan.department.value}` : 'enterprise';
    let seen = itemsByContext.get(ctx);
    if (!seen) itemsByContext.set(ctx, (seen = new Set()));
    for (const p of persons) seen.add(p);

    const folder = customer ? 'customers' : plan.department ? 'departments' : pick(folders.filter((f) => f !== 'customers' && f !== 'departments'));
    const base = `${customer ? 'customer' : plan.department ? 'dept' : 'group'}-${String(g).padStart(5, '0')}`;
    const rel = `${folder}/${base}.yaml`;
    const depth = folder.split('/').length + 1;
    const lines = headerLines(g, plan, depth, { pick, chance });
    const indent = pick(['  ', '  ', '  ', '', '    ']);
    if (csv) {
      const csvRel = `${folder}/${base}.csv`;
      lines.push('memberFiles:', `${indent}- ${chance(0.2) ? `"${base}.csv"` : `${base}.csv`}`);
      write(rel, `${lines.join('\n')}\n`);
      write(csvRel, csvList(persons, customer, { pick, chance }));
    } else {
      lines.push('members:');
      for (let i = 0; i < persons.length; i++) {
        if (chance(0.004)) lines.push(`${indent}# ${pick(['2024-03 导入', 'from the CRM export', 'VIP', '活动报名'])}`);
        if (chance(0.002)) lines.push('');
        const ids = customer ? customerPerson(persons[i]!) : userPerson(persons[i]!, false);
        lines.push(...memberLines(ids, indent, { pick, chance }));
      }
      write(rel, `${lines.join('\n')}\n`);
      if (!smallFile && !customer && !plan.department && persons.length < 1000 && indent === '  ') smallFile = join(groupsDir, rel);
    }
    if (!smallFile && csv && !customer && !plan.department) {
      smallFile = join(groupsDir, rel);
    }
  });

  let userItems = 0;
  let customerItems = 0;
  for (const [ctx, seen] of itemsByContext) {
    if (ctx === '~customer') customerItems += seen.size;
    else userItems += seen.size;
  }
  return {
    dir,
    memberships: total,
    groups: plans.length,
    bytes,
    items: userItems + customerItems,
    requestBound: Math.ceil(userItems / 500) + Math.ceil(customerItems / 500),
    smallFile,
    yamlFiles,
    csvFiles,
  };
}

interface Chooser {
  readonly pick: <T>(items: readonly T[]) => T;
  readonly chance: (p: number) => boolean;
}

/** A random order of 0..n-1 (Fisher–Yates). */
function permutation(n: number, random: () => number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

const DESCRIPTIONS = ['营销活动名单', 'members of the spring campaign', 'VIP customers (renewed in 2024)', '华东区 门店会员', 'synced from the CRM every Monday'];

/** The lines before the members: comments, name, kind or category and department, a description in one of its forms. */
function headerLines(g: number, plan: GroupPlan, depth: number, { pick, chance }: Chooser): string[] {
  const lines: string[] = [];
  if (chance(0.6)) lines.push(`# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/group.schema.json`);
  if (chance(0.3)) lines.push(`# ${pick(['负责人: 张三', 'owner: growth team', 'do not edit by hand: generated weekly', '见 wiki 的分群规则'])}`);
  const name = `${pick(['客户分群', 'segment', '活动', 'VIP客户', 'Store members'])}-${g}`;
  lines.push(`name: ${chance(0.2) ? `"${name}"` : chance(0.1) ? `'${name}'` : name}`);
  if (plan.kind === 'customer') lines.push('kind: customer');
  if (plan.department) {
    const d = plan.department;
    lines.push('category: department');
    const value = d.field === 'deptId' ? d.value : d.field === 'wxDeptId' ? `"${d.value}"` : chance(0.5) ? d.value : `'${d.value}'`;
    if (chance(0.2)) lines.push(`department: { ${d.field}: ${value} }`);
    else lines.push('department:', `  ${d.field}: ${value}${chance(0.2) ? '   # 组织架构里的 id' : ''}`);
  } else if (plan.kind === 'user' && chance(0.3)) lines.push(`category: enterprise${chance(0.3) ? '   # the default' : ''}`);
  const r = pick([0, 0, 0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 6, 7]);
  const text = pick(DESCRIPTIONS);
  switch (r) {
    case 0:
      break;
    case 1:
      lines.push(`description: ${text}`);
      break;
    case 2:
      lines.push(`description: "${text}"`);
      break;
    case 3:
      lines.push('description: |', `  ${text}`, '  第二行: owner and refresh schedule', '');
      break;
    case 4:
      lines.push('description: >', `  ${text}`, '  folded into one line', '', '  a second paragraph');
      break;
    case 5:
      lines.push('description: |-', `  ${text}`, '    indented detail');
      break;
    case 6:
      lines.push('description: >-', `  ${text}`, '  continued');
      break;
    default:
      lines.push('description: |+', `  ${text}`, '');
  }
  if (chance(0.1)) lines.push('');
  return lines;
}

/** A value written as a person might: double-quoted, single-quoted, or plain where YAML reads it as text. */
function scalar(value: string, { pick }: Chooser): string {
  const plainOk = !/^[0-9+]/.test(value);
  return plainOk ? pick([value, value, value, `"${value}"`, `'${value}'`]) : pick([`"${value}"`, `"${value}"`, `"${value}"`, `'${value}'`]);
}

/** One member in one of the documented forms, chosen per occurrence (the same person reads the same everywhere). */
function memberLines(ids: readonly Identity[], indent: string, c: Chooser): string[] {
  const { pick, chance } = c;
  const trailing = () => (chance(0.02) ? `   # ${pick(['张三', 'VIP', 'moved from store 12'])}` : '');
  const fields = (id: Identity, sep: string, pad: string): string[] => {
    const out: string[] = [];
    if (id.platform !== undefined) out.push(`${pad}platform: ${id.platform}`);
    if (id.appid !== undefined) out.push(`${pad}appid: ${scalar(id.appid, c)}`);
    if (id.isWeChatEcosystem !== undefined) out.push(`${pad}isWeChatEcosystem: ${id.isWeChatEcosystem}`);
    return sep === '' ? out : [out.map((f) => f.trim()).join(sep)];
  };
  if (ids.length === 1) {
    const id = ids[0]!;
    if (chance(0.08)) return [`${indent}- { ${[`${id.type}: ${scalar(id.value, c)}`, ...fields(id, ', ', '')].filter((s) => s !== '').join(', ')} }${trailing()}`];
    return [`${indent}- ${id.type}: ${scalar(id.value, c)}${trailing()}`, ...fields(id, '', `${indent}  `)];
  }
  const lines = [`${indent}- identities:`];
  const inner = `${indent}${chance(0.3) ? '  ' : '    '}`;
  const flow = chance(0.6);
  for (const id of ids) {
    if (flow) lines.push(`${inner}- { ${[`type: ${id.type}`, `value: ${scalar(id.value, c)}`, ...fields(id, ', ', '')].filter((s) => s !== '').join(', ')} }`);
    else lines.push(`${inner}- type: ${id.type}`, `${inner}  value: ${scalar(id.value, c)}`, ...fields(id, '', `${inner}  `));
  }
  return lines;
}

// Identity columns keep one order (phone, unionid, openid, thirdId: a member's identities are
// ordered as its columns are, and one person must read alike in every list); qualifiers move about.
const USER_LAYOUTS = [
  ['phone', 'unionid', 'openid', 'openid.platform', 'openid.appid', 'openid.isWeChatEcosystem', 'thirdId'],
  ['phone', 'unionid', 'openid.appid', 'openid', 'openid.isWeChatEcosystem', 'openid.platform', 'thirdId'],
  ['phone', 'openid.platform', 'unionid', 'openid', 'thirdId', 'openid.appid', 'openid.isWeChatEcosystem'],
];

/** A group's CSV list: a header in one of a few column orders, one row per person, rows in random order. */
function csvList(persons: readonly number[], customer: boolean, { pick, chance }: Chooser): string {
  const columns = customer ? ['audienceUserId', 'phone', 'unionid'] : pick(USER_LAYOUTS);
  // A few exports quote every cell, as some spreadsheets do.
  const quoted = chance(0.03);
  const cell = (s: string) => (quoted ? `"${s}"` : s);
  const rows: string[] = [columns.map(cell).join(',')];
  for (const p of persons) {
    const ids = customer ? customerPerson(p) : userPerson(p, true);
    const byType = new Map(ids.map((id) => [id.type, id]));
    rows.push(
      columns
        .map((col) => {
          const [type, field] = col.split('.') as [string, string | undefined];
          const id = byType.get(type);
          if (!id) return cell('');
          const v = field === undefined ? id.value : id[field as 'platform' | 'appid' | 'isWeChatEcosystem'];
          return cell(v === undefined ? '' : String(v));
        })
        .join(','),
    );
  }
  const eol = customer || chance(0.8) ? '\n' : '\r\n';
  return `${rows.join(eol)}${eol}`;
}
