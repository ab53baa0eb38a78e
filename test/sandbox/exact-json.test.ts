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
    'no numbers, colons in strings': '{"a":"x:y","b:c":["::",":"],"d":{"e":"f"}}',
    'no numbers, a duplicate key whose dropped value held colons': '{"a":"x:y","a":"z"}',
    'no numbers, a duplicate key whose kept value holds colons': '{"a":"x","a":"::"}',
    'no numbers, a duplicate nested key': '{"data":[{"identities":[{"identityValue":"1","identityType":"phone","identityType":"openid"}]}]}',
    'no numbers, a key with a space before its colon repeated': '{"a" :"x", "a":"y"}',
    'no numbers but an escape': '{"a":"\\u003a","a":"b"}',
  };

  it.each(Object.keys(cases))('gives what lossless-json gives: %s', (name) => {
    expect(fast(cases[name]!)).toEqual(lossless(cases[name]!));
  });

  it('gives what lossless-json gives on random texts with repeated keys, colons, quotes and numbers', () => {
    // A seeded generator, so that a failure can be replayed.
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = ['a', 'b', ':', ' ', 'x:y', '\\"', '\\\\', '群'];
    const text = (): string => `"${Array.from({ length: random(3) }, () => pieces[random(pieces.length)]).join('')}"`;
    const numbers = ['1', '-2', '1.0', '1e3', '9007199254740993', '0.5'];
    const json = (depth: number): string => {
      const kind = random(depth > 2 ? 3 : 5);
      if (kind === 0) return text();
      if (kind === 1) return random(4) === 0 ? numbers[random(numbers.length)]! : 'true';
      if (kind === 2) return 'null';
      if (kind === 3) return `[${Array.from({ length: random(3) }, () => json(depth + 1)).join(',')}]`;
      // Few key names, so that some objects repeat one.
      return `{${Array.from({ length: random(4) }, () => `${['"k"', '"l"', '"k:"'][random(3)]}${random(5) === 0 ? ' ' : ''}:${json(depth + 1)}`).join(',')}}`;
    };
    const texts = Array.from({ length: 400 }, () => json(0));
    // The generator must reach the cases that matter: repeated keys, texts without numbers or escapes.
    expect(texts.filter((t) => 'error' in (lossless(t) as object)).length).toBeGreaterThan(20);
    expect(texts.filter((t) => !/[0-9]|\\/.test(t) && t.includes(':')).length).toBeGreaterThan(20);
    for (const t of texts) expect(fast(t), t).toEqual(lossless(t));
  });

  it('keeps every number exact as a LosslessNumber', () => {
    const body = parseExactJson('{"matchingType":1,"data":[{"deptId":9007199254740993}]}') as { matchingType: unknown; data: { deptId: unknown }[] };
    expect(isLosslessNumber(body.matchingType) && body.matchingType.toString()).toBe('1');
    expect(isLosslessNumber(body.data[0]!.deptId) && body.data[0]!.deptId.toString()).toBe('9007199254740993');
  });
});
