import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/core/batches.js';
import { diffMemberships, stateFromGroups } from '../../src/core/diff.js';
import { groupKey, memberKey, type GroupRef, type Member } from '../../src/core/model.js';
import { splitAcknowledged } from '../../src/core/not-applied.js';
import { buildPlan } from '../../src/core/plan.js';
import { textOfChunks } from '../../src/core/render/json-chunks.js';
import { renderJsonChunks, type JsonOptions } from '../../src/core/render/json.js';
import { renderText } from '../../src/core/render/text.js';
import { formatJournalHeader, formatJournalRecord, JOURNAL_VERSION, parseJournal } from '../../src/state/journal.js';
import { renderSnapshot, type Snapshot } from '../../src/state/snapshot-format.js';
import { parseSnapshot } from '../../src/state/snapshot-parse.js';
import { customerBatch, customerItem, id } from './builders.js';

const users: GroupRef = { name: '会员', category: 'enterprise' };
const customers: GroupRef = { name: '会员', category: 'enterprise', kind: 'customer' };
const phoneMember = (n: number): Member => ({ identities: [id('phone', `138${String(n).padStart(8, '0')}`)] });
const members = (from: number, to: number): [string, Member][] => Array.from({ length: to - from }, (_, i) => phoneMember(from + i)).map((m) => [memberKey(m), m]);

/** The JSON document as one text. */
const renderJson = (plan: Parameters<typeof renderJsonChunks>[0], options: JsonOptions): string => textOfChunks(renderJsonChunks(plan, options));

describe('customer groups in the plan', () => {
  it('never share a request with user groups: ceil(items / 500) per operation and endpoint, deletes first', () => {
    const desired = stateFromGroups([
      { group: users, members: members(0, 700) },
      { group: customers, members: members(0, 300) },
    ]);
    const applied = stateFromGroups([
      { group: { name: 'Old', category: 'enterprise' }, members: members(0, 10) },
      { group: { name: 'Gone', category: 'enterprise', kind: 'customer' }, members: members(0, 5) },
    ]);
    const batches = planBatches(diffMemberships(desired, applied));
    expect(batches.map((b) => [b.op, b.target ?? 'user', b.items.length])).toEqual([
      ['delete', 'user', 10],
      ['delete', 'customer', 5],
      ['add', 'user', 500],
      ['add', 'user', 200],
      ['add', 'customer', 300],
    ]);
    for (const b of batches) for (const item of b.items) expect(item.kind === 'customer').toBe(b.target === 'customer');
    // A user-group batch has no target field at all, as before customer groups.
    expect(Object.keys(batches[0]!)).toEqual(['op', 'items']);
  });

  it('keeps a customer group and a user group of one name apart, and their checksums differ', () => {
    expect(groupKey(users)).not.toBe(groupKey(customers));
    const m = members(0, 1);
    const asUsers = buildPlan(stateFromGroups([{ group: users, members: m }]), new Map());
    const asCustomers = buildPlan(stateFromGroups([{ group: customers, members: m }]), new Map());
    expect(asUsers.checksum).not.toBe(asCustomers.checksum);
  });

  it('lists user groups before customer groups and says which requests go to the customer endpoint', () => {
    const plan = buildPlan(
      stateFromGroups([
        { group: customers, members: members(0, 2) },
        { group: users, members: members(0, 1) },
      ]),
      new Map(),
    );
    const text = renderText(plan, { color: false, mask: false });
    expect(text.indexOf('# group 会员 (enterprise)')).toBeLessThan(text.indexOf('# group 会员 (customer group)'));
    expect(text).toContain('  add     1 request, 1 item\n  add     1 request, 2 items (customer-group endpoint)\n');
    const json = JSON.parse(renderJson(plan, { mask: false })) as { changes: { group: unknown }[]; requests: unknown[] };
    expect(json.changes.at(-1)!.group).toEqual({ name: '会员', kind: 'customer' });
    expect(json.requests).toEqual([
      { op: 'add', items: 1, memberships: 1 },
      { op: 'add', target: 'customer', items: 2, memberships: 2 },
    ]);
  });
});

describe('splitAcknowledged', () => {
  const items = [customerItem([id('audienceUserId', 'C1')], ['A', 'B']), customerItem([id('phone', '1')], ['A']), customerItem([id('phone', '2')], ['B'])];

  it('keeps what the API confirmed: whole items, and the other groups of a partly failed item', () => {
    const { acknowledged, failed } = splitAcknowledged(items, [
      { index: 0, reason: 'r1', groups: ['B'] },
      { index: 2, reason: 'r2' },
    ]);
    expect(acknowledged.map((i) => [i.member.identities[0]!.value, i.groups])).toEqual([
      ['C1', ['A']],
      ['1', ['A']],
    ]);
    expect(failed).toEqual([
      { member: items[0]!.member, groups: ['B'], reason: 'r1' },
      { member: items[2]!.member, groups: ['B'], reason: 'r2' },
    ]);
  });

  it('merges several failures of one item and ignores groups it does not have and unknown indices', () => {
    const { acknowledged, failed } = splitAcknowledged(items, [
      { index: 0, reason: 'r1', groups: ['A'] },
      { index: 0, reason: 'r2', groups: ['B', 'Z'] },
      { index: 0, reason: 'r1', groups: ['A'] },
      { index: 9, reason: 'nowhere' },
    ]);
    expect(acknowledged).toHaveLength(2);
    expect(failed).toEqual([{ member: items[0]!.member, groups: ['A', 'B'], reason: 'r1; r2' }]);
  });
});

describe('the snapshot and the journal with customer groups', () => {
  const snapshot: Snapshot = {
    applied: stateFromGroups([
      { group: users, members: members(0, 1) },
      { group: customers, members: members(0, 2) },
    ]),
    lastApply: {
      commit: null,
      time: '2024-05-01T10:00:00.000Z',
      toolVersion: '0.1.0',
      endpoint: 'http://x/api/integrate/audience/group/rel/v2/batchAdd',
      complete: false,
      requests: [
        { op: 'add', items: 1, batchId: '15314513451345123' },
        { op: 'add', items: 1, endpoint: 'http://x/api/integrate/audience/info/batchAdd', status: 'partial', notApplied: 1 },
        { op: 'add', items: 0, endpoint: 'http://x/api/integrate/audience/info/batchAdd', status: 'unknown', notApplied: 3 },
      ],
    },
  };

  it('stores a customer group by name and kind only, and reads it back to the same state', () => {
    const text = renderSnapshot(snapshot);
    expect(text).toContain('{"group":{"name":"会员","kind":"customer"},"members":[');
    expect(text).toContain('{"op":"add","items":1,"endpoint":"http://x/api/integrate/audience/info/batchAdd","status":"partial","notApplied":1}');
    const parsed = parseSnapshot('s.json', text);
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    expect([...parsed.snapshot.applied.keys()].sort()).toEqual([...snapshot.applied.keys()].sort());
    expect(parsed.snapshot.applied.get(groupKey(customers))!.group).toEqual(customers);
    expect(renderSnapshot(parsed.snapshot)).toBe(text);
  });

  it('refuses a customer group with a category, and a request with neither batch ID nor endpoint', () => {
    const withCategory = renderSnapshot(snapshot).replace('{"name":"会员","kind":"customer"}', '{"name":"会员","category":"enterprise","kind":"customer"}');
    expect(parseSnapshot('s.json', withCategory).ok).toBe(false);
    const anonymous = renderSnapshot(snapshot).replace('"items":1,"endpoint":"http://x/api/integrate/audience/info/batchAdd",', '"items":1,');
    expect(parseSnapshot('s.json', anonymous).ok).toBe(false);
  });

  it('journals a customer request with its endpoint and only its confirmed items, and reads it back', () => {
    const header = { journal: JOURNAL_VERSION, applyId: 'a1', base: null, commit: null, endpoint: 'http://x/v2', toolVersion: '0.1.0', started: '2024-05-01T10:00:00.000Z' };
    const batch = customerBatch('add', customerItem([id('audienceUserId', 'C1')], ['会员']));
    const text =
      formatJournalHeader(header) +
      formatJournalRecord(0, batch, { endpoint: 'http://x/customer', status: 'partial', notApplied: 1 }) +
      formatJournalRecord(1, { ...batch, items: [] }, { endpoint: 'http://x/customer', status: 'unknown', notApplied: 2 });
    const parsed = parseJournal('j', text);
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    expect(parsed.journal!.records).toEqual([
      {
        index: 0,
        op: 'add',
        endpoint: 'http://x/customer',
        status: 'partial',
        notApplied: 1,
        items: [{ member: { identities: [{ type: 'audienceUserId', value: 'C1' }] }, category: 'enterprise', kind: 'customer', groups: ['会员'] }],
      },
      { index: 1, op: 'add', endpoint: 'http://x/customer', status: 'unknown', notApplied: 2, items: [] },
    ]);
    const orphan = formatJournalHeader(header) + formatJournalRecord(0, batch, {});
    expect(parseJournal('j', orphan).ok).toBe(false);
  });
});
