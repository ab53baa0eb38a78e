import { describe, expect, it } from 'vitest';
import { describeIdentityChanges, diffIdentities } from '../../../src/core/identity-changes.js';
import type { Identity } from '../../../src/core/model.js';
import { member, openid, phone, unionid } from './builders.js';

const lines = (before: Identity[], after: Identity[]) =>
  diffIdentities(member(...before), member(...after)).lines.map((l) => `${l.sign} ${l.identity.type} ${l.identity.value}${l.note ? ` (${l.note})` : ''}`);

describe('diffIdentities', () => {
  it('names a changed value, even one that masks the same (139****0000 before and after)', () => {
    expect(lines([unionid('oU1'), phone('13900000000')], [unionid('oU1'), phone('13911110000')])).toEqual(['  unionid oU1', '- phone 13900000000', '+ phone 13911110000 (value changed)']);
  });

  it('names added and removed identity types', () => {
    expect(lines([phone('1'), unionid('u')], [phone('1'), { type: 'wxid', value: 'w' }])).toEqual(['  phone 1', '- unionid u (removed)', '+ wxid w (added)']);
  });

  it('names a changed platform, appid or WeChat flag of the same value', () => {
    const before = openid('o6_b', 'wx1');
    expect(diffIdentities(member(phone('1'), before), member(phone('1'), { ...before, platform: 'xcx' })).changes).toEqual([{ kind: 'platform changed', type: 'openid' }]);
    expect(diffIdentities(member(phone('1'), before), member(phone('1'), { ...before, appid: 'wx2' })).changes).toEqual([{ kind: 'appid changed', type: 'openid' }]);
    expect(diffIdentities(member(phone('1'), before), member(phone('1'), { ...before, isWeChatEcosystem: false })).changes).toEqual([{ kind: 'WeChat ecosystem changed', type: 'openid' }]);
  });

  it('names an identity that only moved', () => {
    const { changes } = diffIdentities(member(phone('1'), unionid('u'), { type: 'wxid', value: 'w' }), member(phone('1'), { type: 'wxid', value: 'w' }, unionid('u')));
    expect(describeIdentityChanges(changes)).toMatch(/^(unionid|wxid) moved$/);
  });
});
