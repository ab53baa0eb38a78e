import { describe, expect, it } from 'vitest';
import { describeAnswer, notAppliedMarkdown, notAppliedText, pendingPhrases, type AnsweredRequest } from '../../../../src/core/render/not-applied.js';
import { member, phone } from '../builders.js';

const accepted: AnsweredRequest = { op: 'add', items: 500, batchId: '15314513451345123', status: 'accepted', failed: [] };
const partial = (rows: number): AnsweredRequest => ({
  op: 'add',
  items: 3,
  target: 'customer',
  status: 'partial',
  failed: Array.from({ length: rows }, (_, i) => ({ member: member(phone(`1390000000${i}`)), groups: ['会员 @team'], reason: '客户不存在' })),
});
const unknown = (items: number): AnsweredRequest => ({ op: 'delete', items, target: 'customer', status: 'unknown', failed: [], message: 'importing' });

describe('pendingPhrases', () => {
  it('says nothing when everything was applied', () => {
    expect(pendingPhrases([accepted])).toEqual({});
  });

  it('counts failed rows and unconfirmed items apart, singular and plural', () => {
    expect(pendingPhrases([accepted, partial(1), unknown(1)])).toEqual({ rows: '1 row was not applied', items: '1 item is not confirmed yet' });
    expect(pendingPhrases([partial(2), partial(1), unknown(4)])).toEqual({ rows: '3 rows were not applied', items: '4 items are not confirmed yet' });
  });
});

describe('describeAnswer', () => {
  it('names the batch ID of an accepted request, and the result of a customer-group request', () => {
    expect(describeAnswer(accepted)).toBe('add 500 items -> batch 15314513451345123');
    expect(describeAnswer(partial(2))).toBe('add 3 items -> customer groups: 2 rows not applied');
    expect(describeAnswer(unknown(1))).toBe('delete 1 item -> customer groups: not confirmed yet (in progress), nothing recorded');
  });
});

describe('what was not applied', () => {
  it('lists each failed row for a terminal, masked when asked', () => {
    expect(notAppliedText([accepted, partial(1), unknown(2)], { mask: true })).toEqual([
      'Not applied (not recorded in the snapshot; the next apply sends them again):',
      '  add phone 139****0000 to 会员 @team (customer group): 客户不存在',
      '  delete 2 items (customer groups): not confirmed: importing',
    ]);
    expect(notAppliedText([accepted], { mask: true })).toEqual([]);
  });

  it('escapes group names in Markdown so they cannot mention anyone', () => {
    const lines = notAppliedMarkdown([partial(1)], { mask: true });
    expect(lines[2]).toBe('- add phone 139&#42;&#42;&#42;&#42;0000 to 会员 &#64;&#8203;team (customer group): 客户不存在');
  });
});
