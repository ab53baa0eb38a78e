import { describe, expect, it } from 'vitest';
import { readCustomerResult, toCustomerBody, type CustomerItem, type CustomerParams } from '../../src/api/customer-wire.js';
import { parseLossless } from '../../src/api/lossless-json.js';
import { InternalError } from '../../src/errors/index.js';
import { customerBatch, customerItem, id, userBatch, userItem } from './builders.js';

const PARAMS: CustomerParams = { isMatching: true, matchingType: 2, identifyWay: 1, optType: { add: 'add', delete: 'delete' } };

/** The result as the client sees it: the data of the JSON text, parsed losslessly. */
const read = (dataJson: string, sent: CustomerItem[]) => readCustomerResult(parseLossless(dataJson), sent);

const SENT: CustomerItem[] = [
  { audienceUserId: 'C1', groups: '会员' },
  { phone: '13900000009', groups: '会员,VIP' },
  { unionid: 'u3', phone: '13900000003', groups: '会员' },
];

describe('toCustomerBody: the model as the customer-group endpoint takes it (seed 001)', () => {
  it('maps identities to audienceUserId, openid, unionid, phone, groups joined by ","', () => {
    const body = toCustomerBody(customerBatch('add', customerItem([id('phone', '13900000003'), id('audienceUserId', 'C3'), id('unionid', 'u3'), id('openid', 'o3')], ['会员', 'VIP'])), PARAMS);
    expect(JSON.stringify(body)).toBe(
      '{"publicParams":{"isMatching":true,"matchingType":2,"identifyWay":1,"optType":"add"},"data":[{"audienceUserId":"C3","openid":"o3","unionid":"u3","phone":"13900000003","groups":"会员,VIP"}]}',
    );
  });

  it('sends optType as configured: the strings by default, numbers when the gateway wants them', () => {
    const numbers = { ...PARAMS, optType: { add: 1, delete: 2 } };
    expect(JSON.stringify(toCustomerBody(customerBatch('delete', customerItem([id('phone', '1')], ['C'])), numbers).publicParams)).toBe(
      '{"isMatching":true,"matchingType":2,"identifyWay":1,"optType":2}',
    );
    expect(toCustomerBody(customerBatch('delete', customerItem([id('phone', '1')], ['C'])), PARAMS).publicParams.optType).toBe('delete');
    expect(toCustomerBody(customerBatch('add', customerItem([id('phone', '1')], ['C'])), { isMatching: false, optType: PARAMS.optType }).publicParams).toEqual({ isMatching: false, optType: 'add' });
  });

  it('refuses user-group batches and members the loader refuses', () => {
    expect(() => toCustomerBody(userBatch('add', userItem([id('phone', '1')], ['A'])), PARAMS)).toThrow(InternalError);
    expect(() => toCustomerBody(customerBatch('add', customerItem([id('thirdId', 'x')], ['C'])), PARAMS)).toThrow(InternalError);
    expect(() => toCustomerBody(customerBatch('add', customerItem([id('openid', 'o', { platform: 'gzh' })], ['C'])), PARAMS)).toThrow(InternalError);
  });
});

describe('readCustomerResult: the synchronous answer', () => {
  it('status 1 with errorData null (the seed example): everything applied', () => {
    expect(read('{"importSuccessNum":3,"message":"成功","importFailNum":0,"errorData":null,"status":1}', SENT)).toEqual({ kind: 'done', status: 1, failed: [], message: '成功' });
  });

  it('status 2: the rows of errorData are matched back to the items by their identity fields', () => {
    const r = read('{"status":2,"message":"部分导入成功","importSuccessNum":2,"importFailNum":1,"errorData":[{"phone":"13900000009","groups":"会员,VIP"}]}', SENT);
    expect(r).toEqual({ kind: 'done', status: 2, failed: [{ index: 1, reason: '部分导入成功', groups: ['会员', 'VIP'] }], message: '部分导入成功' });
  });

  it('a row naming some of the item groups fails only those; a row without groups fails the whole item', () => {
    const some = read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"phone":"13900000009","groups":"VIP"}]}', SENT);
    expect(some).toMatchObject({ kind: 'done', failed: [{ index: 1, groups: ['VIP'] }] });
    const all = read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"audienceUserId":"C1"}]}', SENT);
    expect(all).toMatchObject({ kind: 'done', failed: [{ index: 0 }] });
    expect((all as unknown as { failed: object[] }).failed[0]).not.toHaveProperty('groups');
  });

  it('reads a phone that comes back as a JSON number by its digits', () => {
    expect(read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"phone":13900000009}]}', SENT)).toMatchObject({ kind: 'done', failed: [{ index: 1 }] });
  });

  it('an ambiguous row fails every item it could be (they are sent again, never recorded unconfirmed)', () => {
    const sent: CustomerItem[] = [
      { unionid: 'u1', phone: '1', groups: 'G' },
      { unionid: 'u1', openid: 'o1', groups: 'G' },
      { unionid: 'u2', groups: 'G' },
    ];
    const r = read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"unionid":"u1"}]}', sent);
    expect(r).toMatchObject({ kind: 'done', failed: [{ index: 0 }, { index: 1 }] });
  });

  it('status 1 with errorData rows still excludes them', () => {
    expect(read('{"status":1,"message":"ok","importFailNum":1,"errorData":[{"audienceUserId":"C1","groups":"会员"}]}', SENT)).toMatchObject({ kind: 'done', status: 1, failed: [{ index: 0 }] });
  });

  it('status 0 (in progress) confirms nothing', () => {
    expect(read('{"status":0,"message":"导入中","importSuccessNum":0,"importFailNum":0,"errorData":null}', SENT)).toEqual({ kind: 'unknown', message: '导入中' });
  });

  it('status -1 is a failure of the whole request', () => {
    expect(read('{"status":-1,"message":"导入失败","importSuccessNum":0,"importFailNum":3,"errorData":null}', SENT)).toEqual({ kind: 'failed', message: '导入失败' });
  });

  it('what cannot be pinned to items is unknown, not success', () => {
    // A row that matches no item sent.
    expect(read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"phone":"10000000000"}]}', SENT).kind).toBe('unknown');
    // A row without identity fields.
    expect(read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"groups":"会员"}]}', SENT).kind).toBe('unknown');
    // A row naming a group the item does not have.
    expect(read('{"status":2,"message":"m","importFailNum":1,"errorData":[{"audienceUserId":"C1","groups":"Other"}]}', SENT).kind).toBe('unknown');
    // Failures counted but not listed.
    expect(read('{"status":1,"message":"m","importSuccessNum":1,"importFailNum":2,"errorData":null}', SENT).kind).toBe('unknown');
    expect(read('{"status":2,"message":"m","importFailNum":3,"errorData":[{"audienceUserId":"C1"}]}', SENT).kind).toBe('unknown');
    // Partly imported, but nothing says which rows.
    expect(read('{"status":2,"message":"m","importFailNum":0,"errorData":[]}', SENT).kind).toBe('unknown');
  });

  it('counts failures per membership as well as per row', () => {
    // One row of an item with two groups may be counted twice.
    expect(read('{"status":2,"message":"m","importFailNum":2,"errorData":[{"phone":"13900000009"}]}', SENT)).toMatchObject({ kind: 'done', failed: [{ index: 1 }] });
  });

  it('an answer that is not the documented result is malformed', () => {
    for (const data of ['15314513451345123', 'null', '{"status":3}', '{"status":"1"}', '{"status":2,"errorData":{}}']) {
      expect(read(data, SENT).kind, data).toBe('malformed');
    }
  });
});
