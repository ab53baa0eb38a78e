import { describe, expect, it } from 'vitest';
import { item, rawPost, v2Body, useSandbox } from './raw.js';

const sandbox = useSandbox();

const id = (identityType: string, identityValue: string, extra: Record<string, unknown> = {}) => ({ identityType, identityValue, ...extra });

async function send(body: unknown): Promise<void> {
  const answer = await rawPost(sandbox(), body);
  expect(String(answer.json?.code), answer.text).toBe('200');
}

/** Memberships in one line each: "group <- #person type:value,...". */
function brief(): string[] {
  return sandbox()
    .memberships()
    .map((m) => {
      const dept = m.group.department ? `[${m.group.department.field}=${m.group.department.value}]` : '';
      return `${m.group.categoryType}${dept}/${m.group.name} <- #${m.person.id} ${m.person.identities.map((i) => `${i.type}:${i.value}`).join(',')}`;
    });
}

describe('sandbox: memberships', () => {
  it('creates groups on first use and adds the person to each group of the item', async () => {
    await send(v2Body([item({ identities: [id('phone', '1')], groups: 'VIP,News' })]));
    expect(brief()).toEqual(['1/News <- #1 phone:1', '1/VIP <- #1 phone:1']);
    expect(sandbox().memberships()[0]).toEqual({ group: { name: 'News', categoryType: '1' }, person: { id: 1, identities: [{ type: 'phone', value: '1' }] } });
  });

  it('matches a person by any of their identities and merges new identities', async () => {
    await send(v2Body([item({ identities: [id('phone', '1')], groups: 'A' })]));
    await send(v2Body([item({ identities: [id('unionid', 'U1'), id('phone', '1')], groups: 'B' })]));
    expect(brief()).toEqual(['1/A <- #1 phone:1,unionid:U1', '1/B <- #1 phone:1,unionid:U1']);
    // Deleting by the identity added later finds the same person.
    await send(v2Body([item({ identities: [id('unionid', 'U1')], groups: 'A' })], 'delete'));
    expect(brief()).toEqual(['1/B <- #1 phone:1,unionid:U1']);
  });

  it('treats a delete of an unknown person, an unknown group or a non-member as a successful no-op', async () => {
    await send(v2Body([item({ identities: [id('phone', '1')], groups: 'A' })]));
    await send(v2Body([item({ identities: [id('phone', '2')], groups: 'A' }), item({ identities: [id('phone', '1')], groups: 'Nope,B' })], 'delete'));
    expect(brief()).toEqual(['1/A <- #1 phone:1']);
  });

  it('is idempotent: the same add twice, or the same delete twice, leaves one state', async () => {
    const body = v2Body([item({ identities: [id('phone', '1')], groups: 'A' })]);
    await send(body);
    await send(body);
    expect(brief()).toEqual(['1/A <- #1 phone:1']);
    const del = v2Body([item({ identities: [id('phone', '1')], groups: 'A' })], 'delete');
    await send(del);
    await send(del);
    expect(brief()).toEqual([]);
  });

  it('keys groups by category and department: one name, three groups', async () => {
    await send(
      v2Body([
        item({ identities: [id('phone', '1')], groups: 'Sales' }),
        item({ identities: [id('phone', '1')], groups: 'Sales', categoryType: '2', wxDeptId: '1001' }),
        item({ identities: [id('phone', '1')], groups: 'Sales', categoryType: '2', thirdDeptId: '1001' }),
      ]),
    );
    expect(brief()).toEqual(['1/Sales <- #1 phone:1', '2[thirdDeptId=1001]/Sales <- #1 phone:1', '2[wxDeptId=1001]/Sales <- #1 phone:1']);
  });

  it('keeps a deptId beyond 2^53 (but within a long) exact', async () => {
    const text = '{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"1","identityType":"phone"}],"groups":"D","categoryType":"2","deptId":9123456789012345678}]}';
    await send(text);
    expect(sandbox().memberships()[0]?.group.department).toEqual({ field: 'deptId', value: '9123456789012345678' });
  });

  it('fuzzy matching (default, and matchingType 2) compares platform and appid only when both sides give them', async () => {
    await send(v2Body([item({ identities: [id('openid', 'o1', { platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true })], groups: 'A' })]));
    await send(v2Body([item({ identities: [id('openid', 'o1')], groups: 'B' })], 'add', { matchingType: 2 }));
    await send(v2Body([item({ identities: [id('openid', 'o1', { platform: 'miniapp' })], groups: 'C' })]));
    expect(brief()).toEqual(['1/A <- #1 openid:o1', '1/B <- #1 openid:o1', '1/C <- #2 openid:o1']);
  });

  it('exact matching (matchingType 1) also requires the same platform and appid', async () => {
    await send(v2Body([item({ identities: [id('openid', 'o1', { platform: 'gzh' })], groups: 'A' })]));
    await send(v2Body([item({ identities: [id('openid', 'o1')], groups: 'B' })], 'add', { matchingType: 1 }));
    expect(brief()).toEqual(['1/A <- #1 openid:o1', '1/B <- #2 openid:o1']);
  });

  it('warns when an item matches several persons and uses the one its first identity matches', async () => {
    await send(v2Body([item({ identities: [id('phone', '1')], groups: 'A' }), item({ identities: [id('phone', '2')], groups: 'A' })]));
    await send(v2Body([item({ identities: [id('phone', '2'), id('phone', '1')], groups: 'B' })]));
    // phone:1 stays with #1: one identity never ends up on two persons.
    expect(brief()).toEqual(['1/A <- #1 phone:1', '1/A <- #2 phone:2', '1/B <- #2 phone:2']);
    expect(sandbox().requests().at(-1)?.warnings).toEqual(['data[0]: the identities match 2 persons (#2, #1); used #2']);
  });

  it('answers with batch IDs above 2^53 written as raw JSON integers, one per accepted call', async () => {
    const first = await rawPost(sandbox(), v2Body());
    const rejected = await rawPost(sandbox(), v2Body([]));
    const second = await rawPost(sandbox(), v2Body());
    expect(first.text).toMatch(/"data":(\d{17})\}$/);
    const ids = [first, second].map((a) => /"data":(\d+)/.exec(a.text)?.[1]);
    expect(BigInt(ids[1] ?? '0') - BigInt(ids[0] ?? '0')).toBe(1n);
    expect(BigInt(ids[0] ?? '0')).toBeGreaterThan(2n ** 53n);
    expect(rejected.text).toContain('"data":null');
    expect(
      sandbox()
        .requests()
        .map((r) => r.batchId),
    ).toEqual([ids[0], undefined, ids[1]]);
  });

  it('reset forgets memberships and requests but never reuses a batch ID', async () => {
    await rawPost(sandbox(), v2Body());
    const before = sandbox().requests()[0]?.batchId;
    sandbox().reset();
    expect(sandbox().memberships()).toEqual([]);
    expect(sandbox().requests()).toEqual([]);
    await rawPost(sandbox(), v2Body());
    expect(BigInt(sandbox().requests()[0]?.batchId ?? '0')).toBe(BigInt(before ?? '0') + 1n);
    expect(sandbox().requests()[0]?.seq).toBe(1);
  });
});
