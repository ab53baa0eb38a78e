import { describe, expect, it } from 'vitest';
import { toV1Body } from '../../src/api/v1-wire.js';
import { InternalError } from '../../src/errors/index.js';
import { customerBatch, customerItem, id, userBatch, userItem } from './builders.js';

describe('toV1Body: the model as the legacy v1 endpoint takes it (seed 000)', () => {
  it('maps identities to the flat fields, groups joined by ",", publicParams from the config (fuzzy)', () => {
    const body = toV1Body(userBatch('add', userItem([id('unionid', 'u1'), id('phone', '13800000001'), id('thirdId', 'T-9')], ['A', 'B']), userItem([id('openid', 'o1')], ['A'])), {
      isMatching: true,
      matchingType: 2,
      identifyWay: 1,
    });
    expect(JSON.stringify(body)).toBe(
      '{"publicParams":{"isMatching":true,"matchingType":2,"identifyWay":1,"optType":"add"},' +
        '"data":[{"thirdId":"T-9","unionid":"u1","phone":"13800000001","groups":"A,B"},{"openid":"o1","groups":"A"}]}',
    );
  });

  it('with exact matching names the identity to match by: the member key, thirdId as "id"', () => {
    const params = { isMatching: false, matchingType: 1 as const, accurateMatchType: 'gzh' as const, accurateMatchValue: 'wx1234' };
    const body = toV1Body(
      userBatch(
        'delete',
        userItem([id('thirdId', 'T-1'), id('phone', '1')], ['A']),
        userItem([id('openid', 'o2', { platform: 'gzh', appid: 'wx1234', isWeChatEcosystem: true })], ['A']),
        userItem([id('phone', '2')], ['A']),
      ),
      params,
    );
    expect(body.publicParams).toEqual({ isMatching: false, matchingType: 1, accurateMatchType: 'gzh', accurateMatchValue: 'wx1234', optType: 'delete' });
    expect(body.data.map((d) => d.identityType)).toEqual(['id', 'openid', 'phone']);
    // platform/appid equal to the configured accurate match travel in publicParams, not per item.
    expect(body.data[1]).toEqual({ identityType: 'openid', openid: 'o2', groups: 'A' });
  });

  it('leaves out what the config leaves out', () => {
    expect(toV1Body(userBatch('add', userItem([id('phone', '1')], ['A'])), { isMatching: true }).publicParams).toEqual({ isMatching: true, optType: 'add' });
  });

  it('refuses what the loader refuses, as a bug rather than a wrong request', () => {
    const refused = [
      userItem([id('email', 'a@b.c')], ['A']),
      userItem([id('phone', '1'), id('phone', '2')], ['A']),
      userItem([id('openid', 'o', { platform: 'workwechat' })], ['A']),
      { ...userItem([id('phone', '1')], ['D']), category: 'department' as const, department: { field: 'wxDeptId' as const, value: '7' } },
    ];
    for (const item of refused) expect(() => toV1Body(userBatch('add', item), { isMatching: true })).toThrow(InternalError);
    expect(() => toV1Body(customerBatch('add', customerItem([id('phone', '1')], ['C'])), { isMatching: true })).toThrow(InternalError);
  });
});
