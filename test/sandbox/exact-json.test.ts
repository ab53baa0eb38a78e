import { isLosslessNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseExactJson } from '../../src/sandbox/exact-json.js';

/** What lossless-json itself gives, or the message it throws. */
const lossless = (text: string): unknown => {
  try {
    return { value: parse(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};
const fast = (text: string): unknown => {
  try {
    return { value: parseExactJson(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

describe('parseExactJson', () => {
  const cases: Record<string, string> = {
    'a v2 body': '{"publicParams":{"optType":"add","matchingType":2},"data":[{"identities":[{"identityValue":"138","identityType":"phone"}],"groups":"a,b","categoryType":"1"}]}',
    'a deptId beyond 2^53': '{"data":[{"deptId":9007199254740993,"categoryType":"2"}]}',
    'numbers not written canonically': '{"a":1.0,"b":1e3,"c":-0,"d":0.50,"e":10E-1}',
    'canonical numbers': '{"a":1,"b":-12,"c":0.5,"d":[0,1,2]}',
    'a duplicate key': '{"a":1,"b":{"c":1,"c":2}}',
    'a duplicate key at the top': '{"a":"x","a":"y"}',
    'quotes, escapes and colons in strings': '{"a":"x\\":1","b\\\\":"\\\\","c":"\\u0000:"}',
    'a __proto__ key': '{"__proto__":{"x":1},"y":2}',
    'invalid JSON': '{"a":1,}',
    'truncated JSON': '{"a":[1,2',
    'whitespace everywhere': ' { "a" : [ 1 , { "b" : true } ] , "c" : null } ',
    'a scalar': '42',
  };

  it.each(Object.keys(cases))('gives what lossless-json gives: %s', (name) => {
    expect(fast(cases[name]!)).toEqual(lossless(cases[name]!));
  });

  it('keeps every number exact as a LosslessNumber', () => {
    const body = parseExactJson('{"matchingType":1,"data":[{"deptId":9007199254740993}]}') as { matchingType: unknown; data: { deptId: unknown }[] };
    expect(isLosslessNumber(body.matchingType) && body.matchingType.toString()).toBe('1');
    expect(isLosslessNumber(body.data[0]!.deptId) && body.data[0]!.deptId.toString()).toBe('9007199254740993');
  });
});
