import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { v2BodyJson } from '../../src/api/v2-wire.js';
import type { BatchItem, PlannedBatch } from '../../src/core/batches.js';
import { memberKey, type Department, type Identity, type Op } from '../../src/core/model.js';
import { JournalWriter } from '../../src/state/journal-writer.js';
import { WIRE_RECORD_END, wireRecordStart } from '../../src/state/journal-wire.js';
import { formatJournalHeader, formatJournalRecord, parseJournal, type JournalHeader } from '../../src/state/journal.js';
import { tempWorkspace } from './workspace-fixture.js';

function header(journal: 1 | 2): JournalHeader {
  return { journal, applyId: 'apply-1', base: null, commit: null, endpoint: 'http://x/api', toolVersion: '0.1.0', started: '2024-05-01T10:00:00.000Z' };
}

function item(identities: Identity[], groups: string[], department?: Department): BatchItem {
  const member = { identities };
  return { member, memberKey: memberKey(member), category: department ? 'department' : 'enterprise', ...(department ? { department } : {}), groups };
}

/** Items with every optional field, text that needs escaping, non-ASCII, and each department field (deptId beyond 2^53). */
const ITEMS: BatchItem[] = [
  item([{ type: 'phone', value: '13800000001' }], ['VIP客户', 'a"b']),
  item([{ type: 'openid', value: 'o6_\\x\n', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true }, { type: 'unionid', value: 'u😀' }], ['g'], { field: 'deptId', value: '98765432109876543210' }),
  item([{ type: 'thirdId', value: 'T-1', isWeChatEcosystem: false }], ['研发'], { field: 'wxDeptId', value: '1001' }),
  item([{ type: 'phone', value: '13800000002' }], ['研发', 'QA'], { field: 'thirdDeptId', value: 'D\u0001' }),
];
const batch = (op: Op, items: BatchItem[] = ITEMS): PlannedBatch => ({ op, items });

/** A journal line in the wire form, as the writer writes it. */
const wireLine = (index: number, b: PlannedBatch, batchId: string, body = v2BodyJson(b, 1)): string => `${wireRecordStart(index, b.op, batchId)}${body}${WIRE_RECORD_END}`;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('journal records in the wire form (version 2)', () => {
  it('reads back exactly the items the items form records, deptId digit for digit', () => {
    const wire = parseJournal('j', formatJournalHeader(header(2)) + wireLine(0, batch('delete'), '9007199254740993') + wireLine(1, batch('add'), '9007199254740994'));
    const items = parseJournal('j', formatJournalHeader(header(1)) + formatJournalRecord(0, batch('delete'), '9007199254740993') + formatJournalRecord(1, batch('add'), '9007199254740994'));
    expect(wire.ok && items.ok).toBe(true);
    if (!wire.ok || !items.ok) return;
    expect(wire.journal?.records).toEqual(items.journal?.records);
    expect(wire.journal?.records[0]?.items[1]?.department).toEqual({ field: 'deptId', value: '98765432109876543210' });
  });

  it('is written by JournalWriter from the bytes sent, mixed with items-form records, concurrent appends intact', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const path = join(ws.dir, 'snapshot.json.journal');
    const writer = await JournalWriter.create(path, header(2));
    const partial = batch('add', ITEMS.slice(0, 2));
    await Promise.all([
      writer.append(0, batch('delete'), '18446744073709551615', Buffer.from(v2BodyJson(batch('delete')), 'utf8')),
      writer.append(1, partial, { batchId: '7', status: 'partial', notApplied: 2 }),
      writer.append(2, batch('add'), { batchId: '8' }, Buffer.from(v2BodyJson(batch('add'), 2), 'utf8')),
    ]);
    await writer.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').map((l) => l.slice(0, 12))).toEqual(['{"journal":2', '{"index":0,"', '{"index":1,"', '{"index":2,"', '']);
    const parsed = parseJournal(path, text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.journal?.records.map((r) => [r.index, r.op, r.batchId, r.status, r.items.length])).toEqual([
      [0, 'delete', '18446744073709551615', undefined, 4],
      [1, 'add', '7', 'partial', 2],
      [2, 'add', '8', undefined, 4],
    ]);
    expect(parsed.journal?.records[2]?.items.map((i) => i.groups)).toEqual([['VIP客户', 'a"b'], ['g'], ['研发'], ['研发', 'QA']]);
  });

  it('refuses to record a partial or unknown result in the wire form (its items are not the body)', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const writer = await JournalWriter.create(join(ws.dir, 'j'), header(2));
    expect(() => writer.append(0, batch('add'), { batchId: '7', status: 'partial', notApplied: 1 }, Buffer.from('{}'))).toThrow(/accepted in full/);
    await writer.close();
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

  it('refuses a wire record in a version 1 journal (an older groupops never wrote one)', () => {
    const parsed = parseJournal('j', formatJournalHeader(header(1)) + wireLine(0, batch('add'), '1'));
    expect(parsed.ok).toBe(false);
  });
});
