import { describe, expect, it } from 'vitest';
import { maskValue } from '../../../../src/core/render/mask.js';

describe('maskValue', () => {
  it.each([
    ['18888888888', '188****8888'],
    ['+8613600000003', '+86****0003'],
    ['o6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'o6_****fL2M'],
    ['zhangwei', 'zh****ei'],
    ['1234567', '12****67'],
    ['lina1', 'l****1'],
    ['lina', '****'],
    ['a', '****'],
    ['', '****'],
    ['张伟张伟张伟张', '张伟****伟张'],
    ['😀😁😂🤣😃😄😅', '😀😁****😄😅'],
  ])('%s -> %s', (value, masked) => {
    expect(maskValue(value)).toBe(masked);
  });

  it('always hides the middle of the value and never shows more than seven characters', () => {
    for (let n = 0; n <= 40; n++) {
      const value = 'x'.repeat(n);
      const shown = maskValue(value).replace('****', '');
      expect(maskValue(value)).toContain('****');
      expect([...shown].length).toBeLessThanOrEqual(Math.min(7, Math.max(0, n - 3)));
    }
  });
});
