import { describe, expect, it } from 'vitest';
import { codes, item, rawPost, v2Body, useSandbox } from './raw.js';

const sandbox = useSandbox();

const phone = { identityValue: '18888888888', identityType: 'phone' };
const tooMany = Array.from({ length: 501 }, (_, i) => item({ identities: [{ identityValue: `1380000${String(i).padStart(4, '0')}`, identityType: 'phone' }] }));

/** [what, body (object or raw text), errorCode, message pattern] */
const rejections: [string, unknown, string, RegExp][] = [
  ['invalid JSON', '{"publicParams":', 'INVALID_JSON', /not valid JSON/],
  ['duplicate keys', '{"publicParams":{"optType":"add","optType":"delete"},"data":[]}', 'INVALID_JSON', /not valid JSON/],
  ['a body that is not an object', [], 'PARAM_ERROR', /body must be an object/],
  ['an unknown top-level field', { ...v2Body(), extra: 1 }, 'PARAM_ERROR', /body\.extra is not a field/],
  ['no publicParams', { data: [item()] }, 'PARAM_ERROR', /publicParams must be an object/],
  ['an unknown optType', v2Body([item()], 'update' as 'add'), 'PARAM_ERROR', /optType must be "add" or "delete"/],
  ['no optType', { publicParams: {}, data: [item()] }, 'PARAM_ERROR', /optType must be "add" or "delete", got nothing/],
  ['matchingType 3', v2Body([item()], 'add', { matchingType: 3 }), 'PARAM_ERROR', /matchingType must be the integer 1/],
  ['matchingType as a string', v2Body([item()], 'add', { matchingType: '1' }), 'PARAM_ERROR', /matchingType/],
  ['isMatching that is not a boolean', v2Body([item()], 'add', { isMatching: 'yes' }), 'PARAM_ERROR', /isMatching must be a boolean/],
  ['an unknown publicParams field', v2Body([item()], 'add', { identifyWay: 1 }), 'PARAM_ERROR', /publicParams\.identifyWay is not a field/],
  ['no data', { publicParams: { optType: 'add' } }, 'PARAM_ERROR', /data must be an array/],
  ['empty data', v2Body([]), 'PARAM_ERROR', /at least one item/],
  ['501 items', v2Body(tooMany), 'DATA_LIMIT_EXCEEDED', /501 items; at most 500/],
  ['an unknown item field', v2Body([item({ group: 'g' })]), 'PARAM_ERROR', /data\[0\]\.group is not a field/],
  ['no identities', v2Body([item({ identities: undefined })]), 'PARAM_ERROR', /identities must be a non-empty array/],
  ['empty identities', v2Body([item({ identities: [] })]), 'PARAM_ERROR', /identities must be a non-empty array/],
  ['an unknown identity field', v2Body([item({ identities: [{ ...phone, type: 'phone' }] })]), 'PARAM_ERROR', /identities\[0\]\.type is not a field/],
  ['an empty identityValue', v2Body([item({ identities: [{ identityValue: ' ', identityType: 'phone' }] })]), 'PARAM_ERROR', /identityValue must not be empty/],
  ['a numeric identityValue', v2Body([item({ identities: [{ identityValue: 18888888888, identityType: 'phone' }] })]), 'PARAM_ERROR', /identityValue must be a string, got the number 18888888888/],
  ['no identityType', v2Body([item({ identities: [{ identityValue: '1' }] })]), 'PARAM_ERROR', /identityType is required/],
  ['a platform that is not a string', v2Body([item({ identities: [{ ...phone, platform: 1 }] })]), 'PARAM_ERROR', /platform must be a string/],
  [
    'appid without isWeChatEcosystem',
    v2Body([item({ identities: [{ identityValue: 'o1', identityType: 'openid', appid: 'wx1' }] })]),
    'PARAM_ERROR',
    /isWeChatEcosystem is required when appid is given/,
  ],
  ['isWeChatEcosystem as a string', v2Body([item({ identities: [{ ...phone, isWeChatEcosystem: 'true' }] })]), 'PARAM_ERROR', /isWeChatEcosystem must be a boolean/],
  ['groups as an array', v2Body([item({ groups: ['g'] })]), 'PARAM_ERROR', /groups must be a string/],
  ['an empty groups string', v2Body([item({ groups: '' })]), 'PARAM_ERROR', /empty group name at position 1/],
  ['an empty group between commas', v2Body([item({ groups: 'a,,b' })]), 'PARAM_ERROR', /empty group name at position 2/],
  ['a trailing comma', v2Body([item({ groups: 'a,' })]), 'PARAM_ERROR', /empty group name at position 2/],
  ['a group name padded with spaces', v2Body([item({ groups: 'a, b' })]), 'PARAM_ERROR', /" b" starts or ends with a space/],
  ['categoryType as a number', v2Body([item({ categoryType: 2, wxDeptId: '1' })]), 'PARAM_ERROR', /categoryType must be the string "1".*got the number 2/],
  ['categoryType "3"', v2Body([item({ categoryType: '3' })]), 'PARAM_ERROR', /categoryType must be the string/],
  ['categoryType "2" without a department', v2Body([item({ categoryType: '2' })]), 'PARAM_ERROR', /needs one of wxDeptId, thirdDeptId, deptId/],
  ['two department keys', v2Body([item({ categoryType: '2', wxDeptId: '1', thirdDeptId: 't' })]), 'PARAM_ERROR', /exactly one department key, got wxDeptId, thirdDeptId/],
  ['a department on an enterprise group', v2Body([item({ categoryType: '1', wxDeptId: '1' })]), 'PARAM_ERROR', /wxDeptId is only allowed with categoryType "2"/],
  ['a department without categoryType (default 1)', v2Body([item({ deptId: 5 })]), 'PARAM_ERROR', /deptId is only allowed with categoryType "2"/],
  ['deptId as a string', v2Body([item({ categoryType: '2', deptId: '12' })]), 'PARAM_ERROR', /deptId must be a non-negative JSON integer/],
  ['a fractional deptId', v2Body([item({ categoryType: '2', deptId: 1.5 })]), 'PARAM_ERROR', /deptId must be a non-negative JSON integer/],
  ['a negative deptId', v2Body([item({ categoryType: '2', deptId: -1 })]), 'PARAM_ERROR', /deptId must be a non-negative JSON integer/],
  [
    'a deptId beyond a long',
    '{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"1","identityType":"phone"}],"groups":"g","categoryType":"2","deptId":9223372036854775808}]}',
    'PARAM_ERROR',
    /fits a long/,
  ],
  ['an empty wxDeptId', v2Body([item({ categoryType: '2', wxDeptId: '' })]), 'PARAM_ERROR', /wxDeptId must not be empty/],
  ['a bad second item', v2Body([item(), item({ groups: 7 })]), 'PARAM_ERROR', /^data\[1\]\.groups/],
];

describe('sandbox: the v2 contract', () => {
  for (const [what, body, errorCode, message] of rejections) {
    it(`rejects ${what} as the API does (HTTP 200, code "400") and changes nothing`, async () => {
      const answer = await rawPost(sandbox(), body);
      expect(codes(answer)).toEqual({ status: 200, code: '400', errorCode });
      expect(String(answer.json?.msg)).toMatch(message);
      expect(sandbox().memberships()).toEqual([]);
      expect(sandbox().requests().at(-1)).toMatchObject({ verdict: 'rejected', applied: false, errorCode });
    });
  }

  it('accepts exactly 500 items', async () => {
    const answer = await rawPost(sandbox(), v2Body(tooMany.slice(0, 500)));
    expect(codes(answer)).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(sandbox().memberships()).toHaveLength(500);
  });

  it('accepts isMatching (the seed example sends it) and an item without groups, with warnings', async () => {
    const answer = await rawPost(sandbox(), v2Body([item({ groups: undefined })], 'add', { isMatching: true, matchingType: 2 }));
    expect(codes(answer).code).toBe('200');
    expect(sandbox().requests().at(-1)?.warnings).toEqual(['publicParams.isMatching is not a v2 field (v1 only); v2 ignores it', 'data[0] has no groups: the call changes no membership for it']);
  });

  it('rejects a rejected batch as a whole: a valid first item is not applied either', async () => {
    await rawPost(sandbox(), v2Body([item({ groups: 'first' }), item({ groups: ',' })]));
    expect(sandbox().memberships()).toEqual([]);
  });

  it('answers a missing or wrong X-Token with HTTP 401 and code "401", and never logs the token', async () => {
    const missing = await rawPost(sandbox(), v2Body(), { token: null });
    const wrong = await rawPost(sandbox(), v2Body(), { token: 'not-the-token' });
    expect(codes(missing)).toEqual({ status: 401, code: '401', errorCode: 'UNAUTHORIZED' });
    expect(codes(wrong)).toEqual({ status: 401, code: '401', errorCode: 'UNAUTHORIZED' });
    expect(
      sandbox()
        .requests()
        .map((r) => [r.token, r.verdict, r.headers['x-token']]),
    ).toEqual([
      ['missing', 'unauthorized', undefined],
      ['invalid', 'unauthorized', '[redacted]'],
    ]);
    expect(JSON.stringify(sandbox().requests())).not.toContain('not-the-token');
    expect(sandbox().memberships()).toEqual([]);
  });

  it('answers a wrong content type with HTTP 400, an unknown path with 404 and GET with 405', async () => {
    expect(codes(await rawPost(sandbox(), v2Body(), { contentType: 'text/plain' }))).toEqual({ status: 400, code: '400', errorCode: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(codes(await rawPost(sandbox(), v2Body(), { contentType: 'application/json; charset=utf-8' })).status).toBe(200);
    expect(codes(await rawPost(sandbox(), v2Body(), { path: '/api/open/audience/group/rel/v2/batchAdd' }))).toEqual({ status: 404, code: '404', errorCode: 'NOT_FOUND' });
    expect(codes(await rawPost(sandbox(), v2Body(), { method: 'GET' }))).toEqual({ status: 405, code: '405', errorCode: 'METHOD_NOT_ALLOWED' });
  });
});
