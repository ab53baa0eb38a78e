import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { expectCsvAsCsvParse } from './differential.js';

// The quote-free CSV splitter against csv-parse, on seeded random member lists: empty fields,
// empty lines, a last line with or without its break, LF or CRLF, spaces and non-ASCII text, rows
// of uneven length. A text it does not take (quotes, mixed breaks) must be refused, never split.

const PIECES = ['13800000001', '+8613800000002', 'o6_bmjrPTlm6_2sgVt7hM', 'wx1234567890abcdef', '', ' ', '研发部', 'a b', 'true', 'x\u00a0y', 'gzh'];

function randomCsv(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const columns = 1 + Math.floor(random() * 4);
  const rows: string[] = [['phone', 'openid', 'platform', 'appid'].slice(0, columns).join(',')];
  const count = Math.floor(random() * 40);
  for (let r = 0; r < count; r++) {
    if (random() < 0.05) rows.push('');
    const width = random() < 0.1 ? 1 + Math.floor(random() * 6) : columns;
    rows.push(Array.from({ length: width }, () => pick(PIECES)).join(','));
  }
  const lineBreak = random() < 0.5 ? '\n' : '\r\n';
  return rows.join(lineBreak) + (random() < 0.5 ? lineBreak : '');
}

describe('the quote-free CSV splitter reads what csv-parse reads', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random member lists, seed ${seed}`, () => {
      const random = seededRandom(seed);
      let split = 0;
      for (let i = 0; i < 200; i++) if (expectCsvAsCsvParse(randomCsv(random))) split++;
      // Every generated text is quote-free with one kind of break: the splitter takes them all.
      expect(split).toBe(200);
    });
  }

  it('leaves quoted fields and mixed line breaks to csv-parse', () => {
    expect(expectCsvAsCsvParse('phone\n"13800000001"\n')).toBe(false);
    expect(expectCsvAsCsvParse('phone\r\n13800000001\n13800000002\n')).toBe(false);
  });
});
