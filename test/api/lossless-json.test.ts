import { LosslessNumber, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { stringifyLossless } from '../../src/api/lossless-json.js';

describe('stringifyLossless', () => {
  const values: Record<string, unknown> = {
    'a v2 body with a deptId beyond 2^53': { publicParams: { optType: 'add' }, data: [{ identities: [{ identityValue: '138', identityType: 'phone' }], groups: '客户,VIP', categoryType: '2', deptId: new LosslessNumber('9007199254740993') }] },
    'several LosslessNumbers in order': [new LosslessNumber('1'), { a: new LosslessNumber('2.50'), b: [new LosslessNumber('123456789012345678901234567890')] }],
    'no LosslessNumber': { a: 1, b: 'x', c: [true, null], d: undefined, e: () => 1 },
    'a string that spells the mark': { a: '\u0000lossless-number\u0000', n: new LosslessNumber('7') },
    'a key that spells the mark': { '\u0000lossless-number\u0000': 1, n: new LosslessNumber('7') },
    'a BigInt': { a: 12n, n: new LosslessNumber('7') },
    'a Date and undefined array entries': { d: new Date(0), list: [undefined, 1] },
  };

  it.each(Object.keys(values))('writes what lossless-json writes: %s', (name) => {
    expect(stringifyLossless(values[name])).toBe(stringify(values[name]));
  });

  it('writes a long as its digits, not a rounded number', () => {
    expect(stringifyLossless({ deptId: new LosslessNumber('9007199254740993') })).toBe('{"deptId":9007199254740993}');
  });
});
