import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { numberIn, wholeNumber } from '../../../src/cli/option-parsers.js';

describe('wholeNumber', () => {
  it('accepts whole numbers in range, surrounding spaces included', () => {
    expect(wholeNumber(0)('0')).toBe(0);
    expect(wholeNumber(1, 32)(' 32 ')).toBe(32);
  });

  it('refuses fractions, signs, exponents, hex and numbers out of range', () => {
    for (const bad of ['1.5', '-1', '+3', '1e3', '0x10', '', '33', '9007199254740993']) {
      expect(() => wholeNumber(1, 32)(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => wholeNumber(1, 32)('0')).toThrow('expected a whole number from 1 to 32');
    expect(() => wholeNumber(0)('x')).toThrow('expected a whole number >= 0');
  });
});

describe('numberIn', () => {
  it('accepts fractions in range', () => {
    expect(numberIn(0, 1)('0.25')).toBe(0.25);
    expect(numberIn(0)('1.5')).toBe(1.5);
  });

  it('refuses blanks, NaN, infinity and numbers out of range', () => {
    for (const bad of ['', ' ', 'NaN', 'Infinity', '1.01', '-0.1']) expect(() => numberIn(0, 1)(bad), bad).toThrow(InvalidArgumentError);
    expect(() => numberIn(0, 1)('2')).toThrow('expected a number from 0 to 1');
    expect(() => numberIn(0)('-1')).toThrow('expected a number >= 0');
  });
});
