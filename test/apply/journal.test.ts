import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planBatches } from '../../src/core/batches.js';
import { diffMemberships, stateFromGroups } from '../../src/core/diff.js';
import { memberKey, type GroupRef, type Member } from '../../src/core/model.js';
import { InvalidInputError } from '../../src/errors/index.js';
import { pendingJournalWarning, snapshotDigest } from '../../src/state/journal-read.js';
import { JournalWriter } from '../../src/state/journal-writer.js';
import { formatJournalHeader, formatJournalRecord, parseJournal, type JournalHeader } from '../../src/state/journal.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { renderSnapshot, type Snapshot } from '../../src/state/snapshot-format.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { membershipKeys, tempWorkspace } from './workspace-fixture.js';

const VIP: GroupRef = { name: 'VIP', category: 'enterprise' };
const RD: GroupRef = { name: '研发', category: 'department', department: { field: 'wxDeptId', value: '1001' } };
const person = (phone: string, ...more: string[]): Member => ({ identities: [{ type: 'phone', value: phone }, ...more.map((v) => ({ type: 'unionid', value: v }))] });
const entries = (...ms: Member[]): [string, Member][] => ms.map((m) => [memberKey(m), m]);

function header(base: string | null, applyId = 'apply-1'): JournalHeader {
  return { journal: 3, applyId, base, commit: null, endpoint: 'http://x/api', toolVersion: '0.1.0', started: '2024-05-01T10:00:00.000Z' };
}

/** Batches that take `from` to `to`, deletes first. */
function batchesBetween(from: Snapshot['applied'], to: Snapshot['applied']) {
  return planBatches(diffMemberships(to, from));
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('parseJournal', () => {
  it('reads a header and records, ignoring a torn last line', () => {
    const [batch] = batchesBetween(new Map(), stateFromGroups([{ group: VIP, members: entries(person('13800000001')) }]));
    const record = formatJournalRecord(0, batch!, '15314513451345123');
    const parsed = parseJournal('j', formatJournalHeader(header(null)) + record + record.slice(0, 25));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.journal?.records).toHaveLength(1);
    expect(parsed.journal?.records[0]?.batchId).toBe('15314513451345123');
    expect(parsed.journal?.tornTail).toBe(true);
  });

  it('treats an empty file or a torn header as no journal', () => {
    expect(parseJournal('j', '')).toEqual({ ok: true, journal: undefined });
    expect(parseJournal('j', formatJournalHeader(header(null)).slice(0, 30))).toEqual({ ok: true, journal: undefined });
  });

  it('reports a corrupt complete line with its line number instead of skipping it', () => {
    const text = `${formatJournalHeader(header(null))}{"index":0,"op":"add","batchId":1.5e16,"items":[]}\n`;
    const parsed = parseJournal('snap.json.journal', text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues[0]).toMatchObject({ file: 'snap.json.journal', line: 2 });
    expect(parsed.issues[0]?.message).toContain('not a valid record');
  });
});

describe('readSnapshot with a pending journal', () => {
  const before: Snapshot = {
    applied: stateFromGroups([{ group: VIP, members: entries(person('13800000001'), person('13800000002')) }]),
    lastApply: null,
  };
  const after = stateFromGroups([
    { group: VIP, members: entries(person('13800000002', 'u-2')) },
    { group: RD, members: entries(person('13800000003')) },
  ]);

  async function setUp(journal: (baseText: string) => string): Promise<{ path: string; baseText: string }> {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const path = join(ws.dir, 'snapshot.json');
    const baseText = renderSnapshot(before);
    await writeFile(path, baseText);
    await writeFile(`${path}.journal`, journal(baseText));
    return { path, baseText };
  }

  it('folds every acknowledged request, so readers see exactly what the API acknowledged', async () => {
    const batches = batchesBetween(before.applied, after);
    expect(batches.map((b) => b.op)).toEqual(['delete', 'add']);
    const { path } = await setUp((t) => formatJournalHeader(header(snapshotDigest(t))) + batches.map((b, i) => formatJournalRecord(i, b, `${9007199254740993n + BigInt(i)}`)).join(''));
    const read = await readSnapshot(nodeFileSystem(), path);
    expect(membershipKeys(read.snapshot.applied)).toEqual(membershipKeys(after));
    // The re-sent member carries its new identities.
    expect([...read.snapshot.applied.values()].flatMap((g) => [...g.members.values()]).find((m) => m.identities[0]?.value === '13800000002')?.identities).toHaveLength(2);
    expect(read.snapshot.lastApply).toMatchObject({
      complete: false,
      applyId: 'apply-1',
      requests: [
        { op: 'delete', batchId: '9007199254740993' },
        { op: 'add', batchId: '9007199254740994' },
      ],
    });
    expect(read.journal?.baseMatches).toBe(true);
    expect(pendingJournalWarning(read.journal, 'snapshot.json')).toBeUndefined();
  });

  it('folds only the records that were synced: a torn last record is not applied', async () => {
    const batches = batchesBetween(before.applied, after);
    const { path } = await setUp((t) => {
      const lines = batches.map((b, i) => formatJournalRecord(i, b, `${i + 1}`));
      return formatJournalHeader(header(snapshotDigest(t))) + lines[0] + lines[1]!.slice(0, lines[1]!.length - 1);
    });
    const read = await readSnapshot(nodeFileSystem(), path);
    // Only the delete was recorded: 13800000001 is gone and nothing was added.
    expect(membershipKeys(read.snapshot.applied)).toEqual(membershipKeys(stateFromGroups([{ group: VIP, members: entries(person('13800000002')) }])));
  });

  it('ignores a stale journal whose apply the snapshot already records', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const path = join(ws.dir, 'snapshot.json');
    const folded: Snapshot = {
      applied: after,
      lastApply: { commit: null, time: '2024-05-01T10:00:01.000Z', toolVersion: '0.1.0', endpoint: 'http://x/api', complete: true, applyId: 'apply-1', requests: [] },
    };
    await writeFile(path, renderSnapshot(folded));
    const batches = batchesBetween(before.applied, after);
    await writeFile(`${path}.journal`, formatJournalHeader(header(snapshotDigest(renderSnapshot(before)))) + formatJournalRecord(0, batches[0]!, '7'));
    const read = await readSnapshot(nodeFileSystem(), path);
    expect(read.journal?.stale).toBe(true);
    expect(membershipKeys(read.snapshot.applied)).toEqual(membershipKeys(after));
    expect(read.snapshot.lastApply?.complete).toBe(true);
  });

  it('folds a journal written against another snapshot, and says so', async () => {
    const batches = batchesBetween(before.applied, after);
    const { path } = await setUp(() => formatJournalHeader(header('0'.repeat(64))) + formatJournalRecord(1, batches[1]!, '11'));
    const read = await readSnapshot(nodeFileSystem(), path, 'state/snapshot.json');
    expect(read.journal?.baseMatches).toBe(false);
    expect(membershipKeys(read.snapshot.applied).has([...membershipKeys(after)].find((k) => k.includes('13800000003'))!)).toBe(true);
    expect(pendingJournalWarning(read.journal, 'state/snapshot.json')).toMatch(/state\/snapshot\.json\.journal records 1 request .* changed since/);
  });

  it('reports a corrupt journal as invalid input with its position', async () => {
    const { path } = await setUp(() => `${formatJournalHeader(header(null))}not json\n`);
    await expect(readSnapshot(nodeFileSystem(), path, 'snapshot.json')).rejects.toThrow(InvalidInputError);
    await expect(readSnapshot(nodeFileSystem(), path, 'snapshot.json')).rejects.toThrow(/snapshot\.json\.journal:2:1: the apply journal is corrupt/);
  });
});

describe('JournalWriter', () => {
  it('writes a header and one synced line per acknowledged request, concurrent appends intact', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const path = join(ws.dir, 'deep', 'snapshot.json.journal');
    const members = Array.from({ length: 1200 }, (_, i) => person(`139${String(i).padStart(8, '0')}`));
    const batches = batchesBetween(new Map(), stateFromGroups([{ group: VIP, members: entries(...members) }]));
    expect(batches).toHaveLength(3);
    const writer = await JournalWriter.create(nodeFileSystem(), path, header(null));
    await Promise.all(batches.map((b, i) => writer.append(i, b, `${18446744073709551615n - BigInt(i)}`)));
    await writer.close();
    const parsed = parseJournal(path, await readFile(path, 'utf8'));
    expect(parsed.ok && parsed.journal?.records.map((r) => [r.index, r.items.length, r.batchId])).toEqual([
      [0, 500, '18446744073709551615'],
      [1, 500, '18446744073709551614'],
      [2, 200, '18446744073709551613'],
    ]);
  });
});
