import type { BatchReceipt, MembershipApi } from '../../src/app/ports.js';
import type { PlannedBatch } from '../../src/core/batches.js';
import { groupKey, memberKey, type GroupRef } from '../../src/core/model.js';
import { ApiError } from '../../src/errors/index.js';

/** What the fake does with the n-th request (1-based): answer, reject, or apply and then reject (a lost answer). */
export type FakeVerdict = 'ok' | 'reject' | 'apply-then-reject';

/**
 * An in-memory MembershipApi: holds memberships as "groupKey|memberKey" strings, returns batch IDs
 * above 2^53 as exact decimal strings, and follows a per-request script.
 */
export class FakeApi implements MembershipApi {
  readonly endpoint = 'http://fake.invalid/api/integrate/audience/group/rel/v2/batchAdd';
  readonly held = new Set<string>();
  readonly log: { op: string; items: number; verdict: FakeVerdict; batchId?: string }[] = [];
  readonly issued: string[] = [];
  private nextId = 15314513451345123n;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly script: (n: number, batch: PlannedBatch) => FakeVerdict = () => 'ok',
    private readonly delay: (n: number) => number = () => 0,
  ) {}

  async sendBatch(batch: PlannedBatch): Promise<BatchReceipt> {
    const n = this.log.length + 1;
    const verdict = this.script(n, batch);
    const entry: { op: string; items: number; verdict: FakeVerdict; batchId?: string } = { op: batch.op, items: batch.items.length, verdict };
    this.log.push(entry);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delay(n)));
      if (verdict !== 'reject') this.apply(batch);
      if (verdict !== 'ok') {
        throw new ApiError({ kind: 'http', endpoint: this.endpoint, summary: 'HTTP 500', status: 500, retryable: true, attempts: 1 });
      }
      const batchId = (this.nextId++).toString();
      entry.batchId = batchId;
      this.issued.push(batchId);
      return { batchId };
    } finally {
      this.inFlight--;
    }
  }

  private apply(batch: PlannedBatch): void {
    for (const item of batch.items) {
      for (const name of item.groups) {
        const group: GroupRef = item.department ? { name, category: item.category, department: item.department } : { name, category: item.category };
        const key = `${groupKey(group)}|${memberKey(item.member)}`;
        if (batch.op === 'add') this.held.add(key);
        else this.held.delete(key);
      }
    }
  }
}
