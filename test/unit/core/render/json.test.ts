import { describe, expect, it } from 'vitest';
import type { Change } from '../../../../src/core/diff.js';
import { canonicalIdentity, type GroupRef, type Identity, type Member } from '../../../../src/core/model.js';
import { buildPlan } from '../../../../src/core/plan.js';
import { textOfChunks } from '../../../../src/core/render/json-chunks.js';
import { jsonGroup, renderJsonChunks, type JsonOptions } from '../../../../src/core/render/json.js';
import { maskValue } from '../../../../src/core/render/mask.js';
import { department, enterprise, member, openid, phone, state, unionid } from '../builders.js';
import { samplePlan } from './fixture-plan.js';

const BIG_ID = '15314513451345123'; // beyond 2^53: JSON.parse would turn it into ...124

/** The JSON document as one text. */
const renderJson = (plan: Parameters<typeof renderJsonChunks>[0], options: JsonOptions): string => textOfChunks(renderJsonChunks(plan, options));

describe('renderJson', () => {
  it('prints the documented shape in a stable key order', () => {
    const doc = JSON.parse(renderJson(samplePlan(), { mask: false })) as Record<string, unknown> & { changes: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['formatVersion', 'summary', 'checksum', 'changes', 'requests', 'batches']);
    expect(doc.formatVersion).toBe('1.1');
    expect(Object.keys(doc.summary as object)).toEqual(['add', 'delete', 'requests']);
    expect(doc.changes.map((c) => Object.keys(c))).toEqual([
      ['op', 'group', 'member'],
      ['op', 'group', 'member'],
      ['op', 'group', 'member'],
      ['op', 'group', 'member'],
      ['op', 'group', 'member', 'previous'],
      ['op', 'group', 'member'],
    ]);
    expect(doc.changes[0]).toEqual({
      op: 'add',
      group: { name: '研发部', category: 'department', department: { wxDeptId: '1001' } },
      member: { identities: [{ type: 'phone', value: '13500000004' }] },
    });
    expect(Object.keys((doc.changes[1]!.member as { identities: object[] }).identities[0]!)).toEqual(['type', 'value', 'platform', 'appid', 'isWeChatEcosystem']);
    expect(doc.batches).toEqual([]);
  });

  it('names a customer group by name and kind: it has no category (the placeholder the model keeps is not shown)', () => {
    const customers: GroupRef = { name: '会员', category: 'enterprise', kind: 'customer' };
    const plan = buildPlan(state([customers, [member(phone('18888888888'))]], [enterprise('会员'), [member(phone('18888888888'))]]), new Map());
    const groups = (JSON.parse(renderJson(plan, { mask: false })) as { changes: { group: Record<string, unknown> }[] }).changes.map((c) => c.group);
    expect(groups).toEqual([
      { name: '会员', category: 'enterprise' },
      { name: '会员', kind: 'customer' },
    ]);
    expect(Object.keys(groups[1]!)).toEqual(['name', 'kind']);
  });

  it('counts match the changes and the requests', () => {
    const plan = samplePlan();
    const doc = JSON.parse(renderJson(plan, { mask: false })) as {
      summary: { add: number; delete: number; requests: number };
      checksum: string;
      changes: { op: string }[];
      requests: { op: string; items: number; memberships: number }[];
    };
    expect(doc.summary).toEqual({ add: doc.changes.filter((c) => c.op === 'add').length, delete: doc.changes.filter((c) => c.op === 'delete').length, requests: doc.requests.length });
    expect(doc.summary).toEqual({ add: 4, delete: 2, requests: 2 });
    expect(doc.requests).toEqual([
      { op: 'delete', items: 2, memberships: 2 },
      { op: 'add', items: 3, memberships: 4 },
    ]);
    expect(doc.checksum).toBe(plan.checksum);
  });

  it('is byte-for-byte stable', () => {
    expect(renderJson(samplePlan(), { mask: false })).toBe(renderJson(samplePlan(), { mask: false }));
  });

  it('keeps batch IDs as exact decimal strings and puts extra fields last', () => {
    const text = renderJson(samplePlan(), { mask: false, batches: [{ op: 'add', items: 3, batchId: BIG_ID }], extra: { status: 'applied' } });
    expect(text).toContain(`"batchId":"${BIG_ID}"`);
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(doc.batches).toEqual([{ op: 'add', items: 3, batchId: BIG_ID }]);
    expect(Object.keys(doc).at(-1)).toBe('status');
  });

  it('masks identity values, the previous ones too, when asked', () => {
    const text = renderJson(samplePlan(), { mask: true });
    expect(text).toContain('"value":"188****8888"');
    expect(text).toContain('"value":"oU****ld"');
    for (const value of ['18888888888', '13900000001', 'oUpF8uOld']) expect(text).not.toContain(value);
  });

  it('is one line unless asked to be pretty, and the same document either way', () => {
    const plan = samplePlan();
    const options = { mask: true, batches: [{ op: 'add' as const, items: 3, batchId: BIG_ID }], extra: { status: 'applied', note: undefined } };
    const compact = renderJson(plan, options);
    const pretty = renderJson(plan, { ...options, pretty: true });
    expect(compact.split('\n')).toEqual([expect.any(String), '']);
    // Exactly what JSON.stringify writes of the document, one line and indented by two.
    expect(compact).toBe(`${JSON.stringify(JSON.parse(pretty))}\n`);
    expect(pretty).toBe(`${JSON.stringify(JSON.parse(compact), null, 2)}\n`);
    expect(compact.length).toBeLessThan(pretty.length / 1.5);
  });

  it('writes group names and values that need escaping exactly as JSON.stringify does', () => {
    const odd: GroupRef = { name: 'a "quoted"\\ 名字 \ud83d\ude00', category: 'department', department: { field: 'deptId', value: '9223372036854775807' } };
    const plan = buildPlan(state([odd, [member(phone('1"2\\3')), member({ type: 'crm', value: '\ud800lone' })]]), new Map());
    const compact = renderJson(plan, { mask: false });
    const doc = JSON.parse(compact) as { changes: unknown[] };
    expect(compact).toBe(`${JSON.stringify(doc)}\n`);
    expect(doc.changes).toHaveLength(2);
    expect(JSON.stringify(doc)).toContain('\\ud800lone');
  });

  it('writes each change as the UTF-8 of JSON.stringify of its object, masked or not, in chunks that decode one by one, new or reused', () => {
    // The byte writer (group text encoded once, identities written as bytes) against JSON.stringify:
    // Chinese and emoji group names, values to escape or beyond ASCII, lone surrogates, re-sent
    // members (previous) and deletes, over several MiB so that chunks end inside changes.
    const groups: GroupRef[] = [
      enterprise('VIP客户 😀'),
      { name: 'a "quoted"\\ name \ud83d', category: 'department', department: { field: 'deptId', value: '9223372036854775807' } },
      { name: '会员', category: 'enterprise', kind: 'customer' },
      department('研发部', '1001'),
    ];
    const identities = (i: number): Identity[] => {
      switch (i % 7) {
        case 0:
          return [phone(`138${i}`)];
        case 1:
          return [phone(`138${i}`), unionid(`u${i}`), openid(`o6_${i}`, 'wx1234567890abcdef', i % 2 === 0)];
        case 2:
          return [{ type: 'crm', value: `张三-${i} 😀` }];
        case 3:
          return [{ type: 'crm', value: `ctl\u0001"\\${i}\n` }];
        case 4:
          return [{ type: 'crm', value: `lone\ud800${i}` }, phone(`139${i}`)];
        case 5:
          return [{ type: 'workwechat_userid', value: `w${i}`, platform: '企业微信' }];
        default:
          return [{ type: '自定义', value: `x${i}\u007f` }];
      }
    };
    const desired = groups.map((g): [GroupRef, Member[]] => [g, Array.from({ length: 6000 }, (_, i) => member(...identities(i)))]);
    // Applied: the first identity of every third member with other identities (re-sent with previous), and members to delete.
    const applied = groups.map((g): [GroupRef, Member[]] => [
      g,
      Array.from({ length: 2000 }, (_, k) => member(identities(3 * k)[0]!, unionid(`old${k}`))).concat(Array.from({ length: 500 }, (_, k) => member(phone(`199${k}`)))),
    ]);
    const plan = buildPlan(state(...desired), state(...applied));
    expect(plan.changes.some((c) => c.previous)).toBe(true);
    expect(plan.changes.some((c) => c.op === 'delete')).toBe(true);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const mask of [false, true]) {
      const ids = (m: Member) => ({ identities: m.identities.map(canonicalIdentity).map((id) => (mask ? { ...id, value: maskValue(id.value) } : id)) });
      const object = (c: Change) => ({ op: c.op, group: jsonGroup(c.group), member: ids(c.member), ...(c.previous ? { previous: ids(c.previous) } : {}) });
      const changes = `"changes":[${plan.changes.map((c) => JSON.stringify(object(c))).join(',')}],"requests":`;
      for (const reuseChunks of [false, true]) {
        // Each chunk is decoded when it comes: with reuseChunks its buffer is written again after.
        let decoded = '';
        let chunks = 0;
        for (const chunk of renderJsonChunks(plan, { mask, reuseChunks })) {
          expect(chunk.length).toBeLessThanOrEqual(1 << 20);
          decoded += strict.decode(chunk);
          chunks++;
        }
        expect(chunks).toBeGreaterThan(3);
        expect(decoded).toContain(changes);
        expect(decoded).toBe(`${JSON.stringify(JSON.parse(decoded))}\n`);
      }
    }
  });
});
