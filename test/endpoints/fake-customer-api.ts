import type { BatchReceipt, MembershipApi } from '../../src/app/ports.js';
import type { PlannedBatch } from '../../src/core/batches.js';
import { groupKey, memberKey } from '../../src/core/model.js';
import type { ItemFailure } from '../../src/core/not-applied.js';
import { ApiError } from '../../src/errors/index.js';

/** How the fake answers a request: as the customer endpoint's status 1/2, 0 (unknown) or -1 (an ApiError). */
export type CustomerVerdict = 'ok' | 'unknown' | 'failed';

/**
 * An in-memory customer-group endpoint: rows whose member holds a value in `failing` are not
 * applied and come back as failures (with the groups named when `failGroups` says so); the rest
 * are held as "groupKey|memberKey" strings.
 */
export class FakeCustomerApi implements MembershipApi {
  readonly endpoint = 'http://fake.invalid/api/integrate/audience/info/batchAdd';
  readonly held = new Set<string>();
  readonly log: { op: string; items: number; verdict: CustomerVerdict; failed: number }[] = [];
  failing = new Map<string, string>();
  /** Values whose failure names only these groups of the item. */
  failGroups = new Map<string, string[]>();

  constructor(private readonly script: (n: number, batch: PlannedBatch) => CustomerVerdict = () => 'ok') {}

  async sendBatch(batch: PlannedBatch): Promise<BatchReceipt> {
    if (batch.target !== 'customer') throw new Error('a user-group batch reached the customer endpoint');
    const verdict = this.script(this.log.length + 1, batch);
    const failed: ItemFailure[] = [];
    if (verdict === 'failed') {
      this.log.push({ op: batch.op, items: batch.items.length, verdict, failed: batch.items.length });
      throw new ApiError({ kind: 'rejected', endpoint: this.endpoint, summary: 'the import failed (data.status -1)', msg: '导入失败', retryable: false, attempts: 1 });
    }
    batch.items.forEach((item, index) => {
      const value = item.member.identities.map((i) => i.value).find((v) => this.failing.has(v));
      const failGroups = value === undefined ? [] : (this.failGroups.get(value) ?? item.groups);
      if (value !== undefined) failed.push({ index, reason: this.failing.get(value)!, ...(this.failGroups.has(value) ? { groups: failGroups } : {}) });
      for (const name of item.groups) {
        if (failGroups.includes(name)) continue;
        const key = `${groupKey({ name, category: 'enterprise', kind: 'customer' })}|${memberKey(item.member)}`;
        if (batch.op === 'add') this.held.add(key);
        else this.held.delete(key);
      }
    });
    this.log.push({ op: batch.op, items: batch.items.length, verdict, failed: failed.length });
    if (verdict === 'unknown') return { status: 'unknown', message: '导入中' };
    return failed.length > 0 ? { status: 'partial', failed, message: '部分导入成功' } : { status: 'accepted' };
  }
}
