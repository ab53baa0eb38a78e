import { describe, expect, it } from 'vitest';
import { codes, rawPost, useSandbox } from './raw.js';

const V1 = '/api/integrate/audience/group/rel/batchAdd';
const CUSTOMER = '/api/integrate/audience/info/batchAdd';

const sandbox = useSandbox();

const v1Body = (data: unknown[] = [{ phone: '13800000001', groups: 'A' }], params: Record<string, unknown> = {}): Record<string, unknown> => ({
  publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add', ...params },
  data,
});
const customerBody = (data: unknown[] = [{ audienceUserId: 'C1', groups: '会员' }], params: Record<string, unknown> = {}): Record<string, unknown> => ({
  publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add', ...params },
  data,
});
const many = (n: number, row: (i: number) => Record<string, unknown>): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => row(i));

/** [what, body, message pattern] */
const v1Rejections: [string, unknown, RegExp][] = [
  ['no isMatching', { publicParams: { optType: 'add' }, data: [{ phone: '1', groups: 'A' }] }, /isMatching is required and must be a boolean, got nothing/],
  ['isMatching as a string', v1Body(undefined, { isMatching: 'true' }), /isMatching is required and must be a boolean/],
  ['no optType', v1Body(undefined, { optType: undefined }), /optType must be "add" or "delete"/],
  ['optType as a number', v1Body(undefined, { optType: 1 }), /optType must be "add" or "delete"/],
  ['fuzzy matching without identifyWay', v1Body(undefined, { identifyWay: undefined }), /identifyWay is required for fuzzy matching/],
  ['identifyWay 3', v1Body(undefined, { identifyWay: 3 }), /identifyWay must be the integer 1 or 2/],
  [
    'an unknown accurateMatchType',
    v1Body([{ identityType: 'phone', phone: '1', groups: 'A' }], { matchingType: 1, identifyWay: undefined, accurateMatchType: 'weibo' }),
    /accurateMatchType must be one of gzh, workwechat, YOUZAN, EZR, contentminiapp, contenthome/,
  ],
  [
    'accurateMatchValue without its type',
    v1Body([{ identityType: 'phone', phone: '1', groups: 'A' }], { matchingType: 1, identifyWay: undefined, accurateMatchValue: 'wx1' }),
    /accurateMatchValue needs publicParams\.accurateMatchType/,
  ],
  ['exact matching without identityType', v1Body([{ phone: '1', groups: 'A' }], { matchingType: 1, identifyWay: undefined }), /identityType is required for exact matching/],
  [
    'an identityType naming a missing field',
    v1Body([{ identityType: 'id', phone: '1', groups: 'A' }], { matchingType: 1, identifyWay: undefined }),
    /identityType is "id" but the item has no thirdId/,
  ],
  ['an unknown identityType', v1Body([{ identityType: 'email', phone: '1', groups: 'A' }]), /identityType must be one of phone, id, openid, unionid/],
  ['the v2 identities list', v1Body([{ identities: [{ identityValue: '1', identityType: 'phone' }], groups: 'A' }]), /data\[0\]\.identities is not a field/],
  ['categoryType (v1 has none)', v1Body([{ phone: '1', groups: 'A', categoryType: '1' }]), /categoryType is not a field/],
  ['no identity field', v1Body([{ groups: 'A' }]), /needs at least one of thirdId, openid, unionid, phone/],
  ['a numeric phone', v1Body([{ phone: 13800000001, groups: 'A' }]), /phone must be a string, got the number 13800000001/],
  ['an empty group name', v1Body([{ phone: '1', groups: 'A,' }]), /empty group name at position 2/],
  ['501 items', v1Body(many(501, (i) => ({ phone: String(i), groups: 'A' }))), /501 items; at most 500/],
];

const customerRejections: [string, unknown, RegExp][] = [
  ['no isMatching', { publicParams: { optType: 'add' }, data: [{ phone: '1', groups: 'C' }] }, /isMatching is required and must be a boolean, got nothing/],
  ['optType "update"', customerBody(undefined, { optType: 'update' }), /optType must be "add" or "delete" \(or 1 add, 2 delete\)/],
  ['optType 3', customerBody(undefined, { optType: 3 }), /optType must be "add" or "delete"/],
  ['fuzzy matching without identifyWay', customerBody(undefined, { identifyWay: undefined }), /identifyWay is required for fuzzy matching/],
  ['a v1 field', customerBody(undefined, { accurateMatchType: 'gzh' }), /publicParams\.accurateMatchType is not a field/],
  ['a user id (thirdId)', customerBody([{ thirdId: 'T1', groups: 'C' }]), /data\[0\]\.thirdId is not a field/],
  ['no identity field', customerBody([{ groups: 'C' }]), /needs at least one of audienceUserId, openid, unionid, phone/],
  ['an empty audienceUserId', customerBody([{ audienceUserId: '', groups: 'C' }]), /audienceUserId must not be empty/],
  ['groups as a list', customerBody([{ phone: '1', groups: ['C'] }]), /groups must be a string/],
  ['501 items', customerBody(many(501, (i) => ({ phone: String(i), groups: 'C' }))), /501 items; at most 500/],
];

describe('sandbox: the v1 endpoint', () => {
  it.each(v1Rejections)('rejects %s with HTTP 200, code "400", and applies nothing', async (_what, body, message) => {
    const answer = await rawPost(sandbox(), body, { path: V1 });
    expect(codes(answer)).toMatchObject({ status: 200, code: '400' });
    expect(String(answer.json?.msg)).toMatch(message);
    expect(sandbox().memberships()).toEqual([]);
  });

  it('accepts the seed example (thirdId, fuzzy) and answers with a batch ID beyond 2^53', async () => {
    const answer = await rawPost(sandbox(), { publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' }, data: [{ thirdId: '1', groups: 'group1,group2' }] }, { path: V1 });
    expect(codes(answer)).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(answer.text).toMatch(/"data":\d{17}/);
    expect(
      sandbox()
        .memberships()
        .map((m) => [m.group.name, m.person.identities]),
    ).toEqual([
      ['group1', [{ type: 'thirdId', value: '1' }]],
      ['group2', [{ type: 'thirdId', value: '1' }]],
    ]);
  });

  it('serves the same users as v2: a v1 delete removes a membership v2 added', async () => {
    await rawPost(sandbox(), { publicParams: { optType: 'add' }, data: [{ identities: [{ identityValue: '13800000001', identityType: 'phone' }], groups: 'A' }] });
    expect(sandbox().memberships()).toHaveLength(1);
    await rawPost(sandbox(), v1Body([{ phone: '13800000001', groups: 'A' }], { optType: 'delete' }), { path: V1 });
    expect(sandbox().memberships()).toEqual([]);
  });

  it('exact matching qualifies the openid with the configured app', async () => {
    const body = v1Body([{ identityType: 'openid', openid: 'o1', phone: '1', groups: 'A' }], { matchingType: 1, identifyWay: undefined, accurateMatchType: 'gzh', accurateMatchValue: 'wx1' });
    expect(codes(await rawPost(sandbox(), body, { path: V1 })).code).toBe('200');
    expect(sandbox().memberships()[0]!.person.identities).toEqual([
      { type: 'openid', value: 'o1', platform: 'gzh', appid: 'wx1' },
      { type: 'phone', value: '1' },
    ]);
  });
});

describe('sandbox: the customer-group endpoint', () => {
  it.each(customerRejections)('rejects %s with HTTP 200, code "400", and applies nothing', async (_what, body, message) => {
    const answer = await rawPost(sandbox(), body, { path: CUSTOMER });
    expect(codes(answer)).toMatchObject({ status: 200, code: '400' });
    expect(String(answer.json?.msg)).toMatch(message);
    expect(sandbox().customerMemberships()).toEqual([]);
  });

  it('answers the seed example synchronously with status 1 and errorData null; customers are kept apart from users', async () => {
    const answer = await rawPost(sandbox(), customerBody([{ audienceUserId: '1', groups: 'group1,group2' }]), { path: CUSTOMER });
    expect(codes(answer)).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(JSON.parse(answer.text)).toEqual({ code: '200', errorCode: 'SUCCESS', msg: 'ok', data: { status: 1, message: '成功', importSuccessNum: 1, importFailNum: 0, errorData: null } });
    expect(
      sandbox()
        .customerMemberships()
        .map((m) => m.group),
    ).toEqual(['group1', 'group2']);
    expect(sandbox().memberships()).toEqual([]);
    expect(sandbox().requests()[0]).toMatchObject({ verdict: 'accepted', note: 'status 1: 1 of 1 rows applied' });
    expect(sandbox().requests()[0]).not.toHaveProperty('batchId');
  });

  it('fails the rows holding a listed identity value: status 2, errorData in the request shape, the rest applied', async () => {
    sandbox().setFaults({ failRows: { '13900000009': '客户不存在' } });
    const rows = [
      { audienceUserId: 'C1', groups: '会员' },
      { unionid: 'u9', phone: '13900000009', groups: '会员,VIP' },
    ];
    const answer = await rawPost(sandbox(), customerBody(rows), { path: CUSTOMER });
    const data = (JSON.parse(answer.text) as { data: Record<string, unknown> }).data;
    expect(data).toEqual({ status: 2, message: '部分导入成功: 1 条失败 (客户不存在)', importSuccessNum: 1, importFailNum: 1, errorData: [rows[1]] });
    expect(sandbox().customerMemberships()).toEqual([{ group: '会员', customer: { id: 1, identities: [{ type: 'audienceUserId', value: 'C1' }] } }]);
  });

  it('answers status -1 when no row could be applied', async () => {
    sandbox().setFaults({ failRows: { C1: '客户不存在' } });
    const answer = await rawPost(sandbox(), customerBody(), { path: CUSTOMER });
    expect((JSON.parse(answer.text) as { data: unknown }).data).toMatchObject({ status: -1, importSuccessNum: 0, importFailNum: 1, errorData: [{ audienceUserId: 'C1', groups: '会员' }] });
    expect(sandbox().customerMemberships()).toEqual([]);
  });

  it('fails rows at random with rowFailureRate, the same way for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      sandbox().reset();
      sandbox().setFaults({ rowFailureRate: 0.5 });
      const answer = await rawPost(sandbox(), customerBody(many(40, (i) => ({ audienceUserId: `C${i}`, groups: 'G' }))), { path: CUSTOMER });
      const data = (JSON.parse(answer.text) as { data: { errorData: { audienceUserId: string }[] | null } }).data;
      return (data.errorData ?? []).map((r) => Number(r.audienceUserId.slice(1)));
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(35);
    expect(await run()).toEqual(first);
    expect(sandbox().customerMemberships()).toHaveLength(40 - first.length);
  });

  it('plays scripted results: in progress (applied, status 0), failed (nothing applied, status -1), then ok', async () => {
    sandbox().setFaults({ customerResults: ['inProgress', 'failed'] });
    const statuses: unknown[] = [];
    for (const group of ['A', 'B', 'C']) {
      const answer = await rawPost(sandbox(), customerBody([{ phone: '1', groups: group }]), { path: CUSTOMER });
      statuses.push((JSON.parse(answer.text) as { data: { status: unknown } }).data.status);
    }
    expect(statuses).toEqual([0, -1, 1]);
    expect(
      sandbox()
        .customerMemberships()
        .map((m) => m.group),
    ).toEqual(['A', 'C']);
    expect(sandbox().faults().customerResults).toEqual([]);
  });

  it('refuses unknown scripted results and bad row settings through the inspection API', async () => {
    const put = (body: unknown) => fetch(`${sandbox().url}/__sandbox/faults`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put({ customerResults: ['maybe'] })).status).toBe(400);
    expect((await put({ rowFailureRate: 2 })).status).toBe(400);
    expect((await put({ failRows: { '1': '' } })).status).toBe(400);
    const state = (await (await fetch(`${sandbox().url}/__sandbox/state`)).json()) as Record<string, unknown>;
    expect(state.customers).toEqual({ customers: 0, groups: 0, memberships: [] });
  });
});
