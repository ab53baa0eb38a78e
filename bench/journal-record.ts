import { memberKey } from '../src/core/model.js';
import type { BatchItem, PlannedBatch } from '../src/core/batches.js';
import type { FileSystem, WritableFile } from '../src/state/file-system.js';
import { journalRecordPieces } from '../src/state/journal.js';
import { JournalWriter } from '../src/state/journal-writer.js';

// `npm run build && node dist/bench/journal-record.js`: the journal's CPU per answered 500-item
// request, measured two ways: building the record's bytes (journalRecordPieces, encoded), and a
// whole JournalWriter.append on a file system that keeps nothing (so the disk's time is left out,
// and what is left is what an apply pays in CPU between two answers). Prints µs per request.
const ITEMS = 500;
const ROUNDS = 20_000;

/** A batch as planBatches makes one for a large enterprise group: one shared groups list, a phone per member. */
function batchOf(groups: readonly string[], category: 'enterprise' | 'department' = 'enterprise'): PlannedBatch {
  const items: BatchItem[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const member = { identities: [{ type: 'phone', value: `138${String(i).padStart(8, '0')}` }] };
    items.push({ member, memberKey: memberKey(member), category, ...(category === 'department' ? { department: { field: 'deptId' as const, value: '98765432109876543210' } } : {}), groups });
  }
  return { op: 'add', items };
}

/** CPU time (user + system) per call, after a warm-up. */
async function cpuPerCall(call: () => unknown): Promise<number> {
  for (let i = 0; i < ROUNDS / 10; i++) await call();
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ROUNDS;
}

/** A file system whose files keep nothing: the writer's own work, without the disk's. */
const nowhere: WritableFile = { write: async () => undefined, sync: async () => undefined, datasync: async () => undefined, close: async () => undefined };
const discard = { makeFolder: async () => undefined, create: async () => nowhere, syncFolder: async () => undefined } as unknown as FileSystem;

const header = { journal: 3 as const, applyId: 'bench', base: null, commit: null, endpoint: 'http://bench.invalid/api', toolVersion: 'bench', started: new Date(0).toISOString() };
const writer = await JournalWriter.create(discard, '/nowhere/snapshot.json.journal', header);
const figures: Record<string, string> = {};
for (const [name, batch] of [
  ['enterprise group "VIP客户"', batchOf(['VIP客户'])],
  ['department group (deptId), two groups', batchOf(['研发', 'QA'], 'department')],
] as const) {
  const encode = await cpuPerCall(() => journalRecordPieces(0, batch, '15314513451345123').map((p) => Buffer.from(p, 'utf8')));
  const append = await cpuPerCall(() => writer.append(0, batch, '15314513451345123'));
  figures[name] = `record ${encode.toFixed(0)} µs, append ${append.toFixed(0)} µs`;
}
await writer.close();
process.stdout.write(`journal CPU per ${ITEMS}-item request (${ROUNDS} rounds each):\n`);
for (const [name, figure] of Object.entries(figures)) process.stdout.write(`  ${name}: ${figure}\n`);
