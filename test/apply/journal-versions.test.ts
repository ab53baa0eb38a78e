import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { v2BodyJson } from '../../src/api/v2-wire.js';
import type { BatchItem, PlannedBatch } from '../../src/core/batches.js';
import { memberKey, type Department, type Identity, type Op } from '../../src/core/model.js';
import { JournalWriter } from '../../src/state/journal-writer.js';
import { formatJournalHeader, formatJournalRecord, JOURNAL_VERSION, parseJournal, type JournalHeader, type JournalRecord } from '../../src/state/journal.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { tempWorkspace } from './workspace-fixture.js';

function header(journal: 1 | 2 | 3): JournalHeader {
  return { journal, applyId: 'apply-1', base: null, commit: null, endpoint: 'http://x/api', toolVersion: '0.1.0', started: '2024-05-01T10:00:00.000Z' };
}

function item(identities: Identity[], groups: string[], department?: Department, kind?: 'customer'): BatchItem {
  const member = { identities };
  return { member, memberKey: memberKey(member), category: department ? 'department' : 'enterprise', ...(department ? { department } : {}), ...(kind ? { kind } : {}), groups };
}

const VIP = ['VIP客户', 'a"b'];
/** Items with every optional field, text that needs escaping, non-ASCII, each department field (deptId beyond 2^53), and runs of shared groups. */
const ITEMS: BatchItem[] = [
  item([{ type: 'phone', value: '13800000001' }], VIP),
  item([{ type: 'phone', value: '13800000003' }], VIP),
  item([{ type: 'phone', value: '13800000004' }], [...VIP]),
  item(
    [
      { type: 'openid', value: 'o6_\\x\n', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true },
      { type: 'unionid', value: 'u😀' },
    ],
    ['g'],
    { field: 'deptId', value: '98765432109876543210' },
  ),
  item([{ type: 'thirdId', value: 'T-1', isWeChatEcosystem: false }], ['研发'], { field: 'wxDeptId', value: '1001' }),
  item([{ type: 'phone', value: '13800000002' }], ['研发', 'QA'], { field: 'thirdDeptId', value: 'D\u0001' }),
];
const CUSTOMERS: BatchItem[] = [item([{ type: 'phone', value: '15800000001' }], ['会员'], undefined, 'customer'), item([{ type: 'phone', value: '15800000002' }], ['会员'], undefined, 'customer')];
const batch = (op: Op, items: BatchItem[] = ITEMS): PlannedBatch => ({ op, items });

/** The items of a batch as a record holds them. */
const recorded = (items: readonly BatchItem[]) =>
  items.map((i) => ({ member: i.member, category: i.category, ...(i.department ? { department: i.department } : {}), ...(i.kind ? { kind: i.kind } : {}), groups: i.groups }));

/** A version 1 or 2 record line in the items form, as groupops 0.1 wrote it (items one by one). */
const itemsLine = (index: number, b: PlannedBatch, meta: Record<string, unknown>): string => `${JSON.stringify({ index, op: b.op, ...meta, items: recorded(b.items) })}\n`;

/** A version 2 record line in the wire form, as groupops 0.1 wrote it: the v2 body exactly as sent. */
const wireLine = (index: number, b: PlannedBatch, batchId: string, body = v2BodyJson(b, 1)): string => `{"index":${index},"op":"${b.op}","batchId":"${batchId}","v2":${body}}\n`;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('journal version 3: the model, in runs', () => {
  it('is what the writer writes, and reads back every item exactly, for every endpoint', () => {
    const customers = batch('add', CUSTOMERS);
    const text =
      formatJournalHeader(header(3)) +
      formatJournalRecord(0, batch('delete'), '9007199254740993') +
      formatJournalRecord(1, customers, { endpoint: 'http://x/customers', status: 'partial', notApplied: 1 }) +
      formatJournalRecord(2, batch('add', []), { batchId: '5', status: 'unknown', notApplied: 3 });
    expect(JOURNAL_VERSION).toBe(3);
    const parsed = parseJournal('j', text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.journal?.records).toEqual([
      { index: 0, op: 'delete', batchId: '9007199254740993', items: recorded(ITEMS) },
      { index: 1, op: 'add', endpoint: 'http://x/customers', status: 'partial', notApplied: 1, items: recorded(CUSTOMERS) },
      { index: 2, op: 'add', batchId: '5', status: 'unknown', notApplied: 3, items: [] },
    ]);
  });

  it('writes each run once: items sharing category, department, kind and groups list only their members', () => {
    const line = formatJournalRecord(0, batch('add'), '7');
    const runs = (JSON.parse(line) as { runs: { groups: string[]; members: unknown[] }[] }).runs;
    expect(runs.map((r) => [r.groups, r.members.length])).toEqual([
      [VIP, 3],
      [['g'], 1],
      [['研发'], 1],
      [['研发', 'QA'], 1],
    ]);
    expect(line.split('VIP客户')).toHaveLength(2);
  });
});

describe('journals of earlier versions (an interrupted apply of groupops 0.1)', () => {
  const expected: JournalRecord[] = [
    { index: 0, op: 'delete', batchId: '9007199254740993', items: recorded(ITEMS) },
    { index: 1, op: 'add', batchId: '9007199254740994', items: recorded(ITEMS) },
  ];

  it('reads version 1 (items one by one)', () => {
    const parsed = parseJournal('j', formatJournalHeader(header(1)) + itemsLine(0, batch('delete'), { batchId: '9007199254740993' }) + itemsLine(1, batch('add'), { batchId: '9007199254740994' }));
    expect(parsed.ok && parsed.journal?.records).toEqual(expected);
  });

  it('reads version 2 wire records through the v2 body decoder, deptId digit for digit, mixed with items records', () => {
    const parsed = parseJournal(
      'j',
      formatJournalHeader(header(2)) +
        wireLine(0, batch('delete'), '9007199254740993') +
        wireLine(1, batch('add'), '9007199254740994') +
        itemsLine(2, batch('add', CUSTOMERS), { endpoint: 'http://x/customers', status: 'partial', notApplied: 1 }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.journal?.records.slice(0, 2)).toEqual(expected);
    expect(parsed.journal?.records[0]?.items[3]?.department).toEqual({ field: 'deptId', value: '98765432109876543210' });
    expect(parsed.journal?.records[2]).toEqual({ index: 2, op: 'add', endpoint: 'http://x/customers', status: 'partial', notApplied: 1, items: recorded(CUSTOMERS) });
  });

  it('ignores a torn wire record at the end', () => {
    const line = wireLine(1, batch('add'), '2');
    const parsed = parseJournal('j', formatJournalHeader(header(2)) + wireLine(0, batch('delete'), '1') + line.slice(0, line.length - 1));
    expect(parsed.ok && parsed.journal?.records.map((r) => r.index)).toEqual([0]);
    expect(parsed.ok && parsed.journal?.tornTail).toBe(true);
  });

  const corrupt: [string, string][] = [
    ['a categoryType that is not "1" or "2"', wireLine(0, batch('add'), '1').replace('"categoryType":"1"', '"categoryType":"3"')],
    ['an optType other than the record op', wireLine(0, batch('add'), '1', v2BodyJson(batch('delete')))],
    ['a deptId that is not an integer', wireLine(0, batch('add'), '1').replace('"deptId":98765432109876543210', '"deptId":12.5')],
    ['a deptId in exponent form', wireLine(0, batch('add'), '1').replace('"deptId":98765432109876543210', '"deptId":1e3')],
    ['two department fields on one item', wireLine(0, batch('add'), '1').replace('"wxDeptId":"1001"', '"wxDeptId":"1001","thirdDeptId":"x"')],
    ['an empty identity value', wireLine(0, batch('add'), '1').replace('"identityValue":"13800000001"', '"identityValue":""')],
    ['a batch ID that is a number', wireLine(0, batch('add'), '1').replace('"batchId":"1"', '"batchId":1')],
    ['a department item without its department', wireLine(0, batch('add'), '1').replace(',"wxDeptId":"1001"', '')],
    ['an enterprise item with a department', wireLine(0, batch('add'), '1').replace('"categoryType":"1"', '"categoryType":"1","wxDeptId":"9"')],
    ['an unknown field in the body', wireLine(0, batch('add'), '1').replace('"categoryType":"1"', '"categoryType":"1","extra":1')],
    ['a key written twice (JSON.parse takes it, the exact reader does not)', wireLine(0, batch('add'), '1').replace('"deptId":98765432109876543210', '"deptId":1,"deptId":98765432109876543210')],
  ];
  for (const [what, line] of corrupt) {
    it(`reports ${what} as corruption with its line`, () => {
      expect(line).not.toBe(wireLine(0, batch('add'), '1'));
      const parsed = parseJournal('snap.json.journal', formatJournalHeader(header(2)) + line);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.issues[0]).toMatchObject({ file: 'snap.json.journal', line: 2, column: 1 });
      expect(parsed.issues[0]?.message).toContain('not a valid record');
    });
  }

  it('refuses a record of another version than its header says', () => {
    expect(parseJournal('j', formatJournalHeader(header(1)) + wireLine(0, batch('add'), '1')).ok).toBe(false);
    expect(parseJournal('j', formatJournalHeader(header(3)) + wireLine(0, batch('add'), '1')).ok).toBe(false);
    expect(parseJournal('j', formatJournalHeader(header(3)) + itemsLine(0, batch('add'), { batchId: '1' })).ok).toBe(false);
    expect(parseJournal('j', formatJournalHeader(header(1)) + formatJournalRecord(0, batch('add'), '1')).ok).toBe(false);
  });
});

describe('JournalWriter', () => {
  it('writes version 3 records, concurrent appends intact, one line each', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const path = join(ws.dir, 'snapshot.json.journal');
    const writer = await JournalWriter.create(nodeFileSystem(), path, header(3));
    await Promise.all([
      writer.append(0, batch('delete'), '18446744073709551615'),
      writer.append(1, batch('add', ITEMS.slice(0, 2)), { batchId: '7', status: 'partial', notApplied: 4 }),
      writer.append(2, batch('add', CUSTOMERS), { endpoint: 'http://x/customers' }),
    ]);
    await writer.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').map((l) => l.slice(0, 12))).toEqual(['{"journal":3', '{"index":0,"', '{"index":1,"', '{"index":2,"', '']);
    const parsed = parseJournal(path, text);
    expect(parsed.ok && parsed.journal?.records.map((r) => [r.index, r.op, r.batchId, r.status, r.items.length])).toEqual([
      [0, 'delete', '18446744073709551615', undefined, 6],
      [1, 'add', '7', 'partial', 2],
      [2, 'add', undefined, undefined, 2],
    ]);
  });
});
