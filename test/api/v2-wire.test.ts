import { describe, expect, it } from 'vitest';
import { stringifyLossless } from '../../src/api/lossless-json.js';
import { toV2Body } from '../../src/api/v2-wire.js';
import { InternalError } from '../../src/errors/index.js';
import { batch, item, phone } from './batch-builders.js';

describe('toV2Body', () => {
  it('maps identities, joins groups with "," and sends categoryType as a string', () => {
    const body = toV2Body(
      batch(
        'add',
        item([phone('18888888888'), { type: 'openid', value: 'o6_x', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true }], ['a', 'b']),
      ),
    );
    expect(stringifyLossless(body)).toBe(
      '{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"18888888888","identityType":"phone"},' +
        '{"identityValue":"o6_x","identityType":"openid","platform":"gzh","appid":"wx1","isWeChatEcosystem":true}],"groups":"a,b","categoryType":"1"}]}',
    );
  });

  it('sends matchingType only when configured, and never isMatching', () => {
    expect(toV2Body(batch('delete', item([phone('1')], ['g'])), 2).publicParams).toEqual({ optType: 'delete', matchingType: 2 });
    expect(toV2Body(batch('delete', item([phone('1')], ['g']))).publicParams).toEqual({ optType: 'delete' });
  });

  it('writes wxDeptId and thirdDeptId as strings and deptId as a JSON integer with its exact digits', () => {
    const body = toV2Body(
      batch(
        'add',
        item([phone('1')], ['d1'], { field: 'wxDeptId', value: '1001' }),
        item([phone('2')], ['d2'], { field: 'thirdDeptId', value: 'T-9' }),
        item([phone('3')], ['d3'], { field: 'deptId', value: '98765432109876543210' }),
      ),
    );
    const text = stringifyLossless(body);
    expect(text).toContain('"groups":"d1","categoryType":"2","wxDeptId":"1001"');
    expect(text).toContain('"groups":"d2","categoryType":"2","thirdDeptId":"T-9"');
    expect(text).toContain('"groups":"d3","categoryType":"2","deptId":98765432109876543210}');
  });

  it('refuses a deptId that is not an integer rather than sending invalid JSON', () => {
    expect(() => toV2Body(batch('add', item([phone('1')], ['d'], { field: 'deptId', value: '12.5' })))).toThrow(InternalError);
  });

  it('refuses an item without groups rather than sending groups ""', () => {
    expect(() => toV2Body(batch('add', item([phone('1')], [])))).toThrow(/no groups/);
  });
});
