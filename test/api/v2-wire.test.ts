import { LosslessNumber, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { v2BodyJson } from '../../src/api/v2-wire.js';
import type { BatchItem, PlannedBatch } from '../../src/core/batches.js';
import type { Department, Identity } from '../../src/core/model.js';
import { InternalError } from '../../src/errors/index.js';
import { batch, item, phone } from './batch-builders.js';

/** The body as the seed's table describes it, built as objects: what v2BodyJson must write, by lossless-json's stringify. */
function expectedBody(b: PlannedBatch, matchingType?: 1 | 2): string {
  const identity = (i: Identity) => ({
    identityValue: i.value,
    identityType: i.type,
    ...(i.platform !== undefined ? { platform: i.platform } : {}),
    ...(i.appid !== undefined ? { appid: i.appid } : {}),
    ...(i.isWeChatEcosystem !== undefined ? { isWeChatEcosystem: i.isWeChatEcosystem } : {}),
  });
  const dept = (d: Department | undefined) => (d === undefined ? {} : { [d.field]: d.field === 'deptId' ? new LosslessNumber(d.value) : d.value });
  const data = b.items.map((it: BatchItem) => ({
    identities: it.member.identities.map(identity),
    groups: it.groups.join(','),
    categoryType: it.category === 'department' ? '2' : '1',
    ...dept(it.department),
  }));
  return stringify({ publicParams: { optType: b.op, ...(matchingType !== undefined ? { matchingType } : {}) }, data }) ?? '';
}

describe('v2BodyJson', () => {
  it('maps identities, joins groups with "," and sends categoryType as a string', () => {
    const text = v2BodyJson(batch('add', item([phone('18888888888'), { type: 'openid', value: 'o6_x', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true }], ['a', 'b'])));
    expect(text).toBe(
      '{"publicParams":{"optType":"add"},"data":[{"identities":[{"identityValue":"18888888888","identityType":"phone"},' +
        '{"identityValue":"o6_x","identityType":"openid","platform":"gzh","appid":"wx1","isWeChatEcosystem":true}],"groups":"a,b","categoryType":"1"}]}',
    );
  });

  it('sends matchingType only when configured, and never isMatching', () => {
    expect(JSON.parse(v2BodyJson(batch('delete', item([phone('1')], ['g'])), 2)).publicParams).toEqual({ optType: 'delete', matchingType: 2 });
    expect(JSON.parse(v2BodyJson(batch('delete', item([phone('1')], ['g'])))).publicParams).toEqual({ optType: 'delete' });
  });

  it('writes wxDeptId and thirdDeptId as strings and deptId as a JSON integer with its exact digits', () => {
    const text = v2BodyJson(
      batch(
        'add',
        item([phone('1')], ['d1'], { field: 'wxDeptId', value: '1001' }),
        item([phone('2')], ['d2'], { field: 'thirdDeptId', value: 'T-9' }),
        item([phone('3')], ['d3'], { field: 'deptId', value: '98765432109876543210' }),
      ),
    );
    expect(text).toContain('"groups":"d1","categoryType":"2","wxDeptId":"1001"');
    expect(text).toContain('"groups":"d2","categoryType":"2","thirdDeptId":"T-9"');
    expect(text).toContain('"groups":"d3","categoryType":"2","deptId":98765432109876543210}');
  });

  it('writes exactly what stringifying the body objects writes, escapes and all (random batches)', () => {
    // A small deterministic generator (no timed or random-seeded flakiness): strings that need
    // escaping, non-ASCII, lone surrogates, every optional field and every department field.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const texts = ['a', '客户,VIP', 'quote"d', 'back\\slash', 'new\nline', 'tab\t', '\u0001ctl', 'lone\ud800', 'pair😀', ''];
    const text = () => texts[next(texts.length)]! + String(next(1000));
    const identity = (): Identity => ({
      type: ['phone', 'openid', 'unionid', 'thirdId'][next(4)]!,
      value: text(),
      ...(next(2) ? { platform: text() } : {}),
      ...(next(2) ? { appid: text() } : {}),
      ...(next(3) === 0 ? { isWeChatEcosystem: next(2) === 0 } : {}),
    });
    const department = (): Department | undefined => {
      const k = next(4);
      if (k === 0) return undefined;
      if (k === 1) return { field: 'deptId', value: next(2) ? '9007199254740993123' : String(next(100)) };
      return { field: k === 2 ? 'wxDeptId' : 'thirdDeptId', value: text() };
    };
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: 1 + next(6) }, () => item(Array.from({ length: 1 + next(3) }, identity), Array.from({ length: 1 + next(3) }, text), department()));
      const b = batch(next(2) ? 'add' : 'delete', ...items);
      const mt = ([undefined, 1, 2] as const)[next(3)];
      expect(v2BodyJson(b, mt)).toBe(expectedBody(b, mt));
    }
  });

  it('refuses a deptId that is not an integer rather than sending invalid JSON', () => {
    expect(() => v2BodyJson(batch('add', item([phone('1')], ['d'], { field: 'deptId', value: '12.5' })))).toThrow(InternalError);
    expect(() => v2BodyJson(batch('add', item([phone('1')], ['d'], { field: 'deptId', value: '1e3' })))).toThrow(InternalError);
  });

  it('refuses an item without groups rather than sending groups ""', () => {
    expect(() => v2BodyJson(batch('add', item([phone('1')], [])))).toThrow(/no groups/);
  });
});
