import { checkCustomerBody, type CustomerRequestItem } from '../contract/customer-contract.js';
import type { Endpoint } from './endpoint.js';

/**
 * POST /audience/info/batchAdd (customer groups, seed 001): checked whole, then each row is
 * applied to the customer store unless the fault settings fail it. The answer is synchronous:
 * data { status, message, importSuccessNum, importFailNum, errorData } with status 1 (all rows),
 * 2 (some rows; errorData lists the others in the request's own shape), -1 (none, or a scripted
 * failure) or 0 (a scripted "in progress": the rows are applied, the answer does not say so).
 * errorData is null when no row failed, as in the seed's example.
 */
export const customerBatchAdd: Endpoint = {
  path: '/audience/info/batchAdd',
  handle(body, { customers, faults }) {
    const checked = checkCustomerBody(body);
    if (!checked.ok) return { accepted: false, errorCode: checked.errorCode, msg: checked.msg };
    const { request } = checked;
    const warnings = [...checked.warnings];
    const scripted = faults.nextCustomerResult();
    const total = request.items.length;
    if (scripted === 'failed') return { accepted: true, data: result(-1, '导入失败 (sandbox: scripted failure)', 0, total, null), warnings, note: 'status -1: scripted failure, nothing applied' };
    const matching = request.matchingType === 1 ? 'exact' : 'fuzzy';
    const failed: { item: CustomerRequestItem; reason: string }[] = [];
    request.items.forEach((item, i) => {
      const reason = faults.rowFailure(item.identities.map((id) => id.value));
      if (reason !== undefined) {
        failed.push({ item, reason });
        return;
      }
      const storeItem = { identities: item.identities, groups: item.groupNames.map((name) => ({ name, categoryType: '1' as const })) };
      const found = request.optType === 'add' ? customers.add(storeItem, matching) : customers.remove(storeItem, matching);
      for (const w of found) warnings.push(`data[${i}]: ${w}`);
    });
    const ok = total - failed.length;
    const errorData = failed.length === 0 ? null : failed.map((f) => f.item.raw);
    // Reasons without identity values: clients show the message next to masked rows.
    const reasons = [...new Set(failed.map((f) => f.reason))].join('; ');
    const note = `${ok} of ${total} rows applied`;
    if (scripted === 'inProgress') return { accepted: true, data: result(0, '导入中 (sandbox: scripted in progress)', 0, 0, null), warnings, note: `status 0 (scripted in progress): ${note}` };
    if (failed.length === 0) return { accepted: true, data: result(1, '成功', ok, 0, null), warnings, note: `status 1: ${note}` };
    if (ok === 0) return { accepted: true, data: result(-1, `导入失败: ${reasons}`, 0, failed.length, errorData), warnings, note: `status -1: ${note}` };
    return { accepted: true, data: result(2, `部分导入成功: ${failed.length} 条失败 (${reasons})`, ok, failed.length, errorData), warnings, note: `status 2: ${note}` };
  },
};

function result(status: -1 | 0 | 1 | 2, message: string, importSuccessNum: number, importFailNum: number, errorData: readonly unknown[] | null): Record<string, unknown> {
  return { status, message, importSuccessNum, importFailNum, errorData };
}
