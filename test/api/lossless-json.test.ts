import { isLosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseLossless } from '../../src/api/lossless-json.js';

describe('parseLossless', () => {
  it('keeps a batch ID beyond 2^53 as its exact digits', () => {
    const parsed = parseLossless('{"code":"200","data":15314513451345123}') as { data: unknown };
    expect(isLosslessNumber(parsed.data)).toBe(true);
    expect(String(parsed.data)).toBe('15314513451345123');
  });

  it('throws SyntaxError on a body that is not JSON (a proxy page, a cut-off body)', () => {
    expect(() => parseLossless('<html>gateway</html>')).toThrow(SyntaxError);
    expect(() => parseLossless('{"code":"200","data":153')).toThrow(SyntaxError);
    expect(() => parseLossless('')).toThrow(SyntaxError);
  });
});
