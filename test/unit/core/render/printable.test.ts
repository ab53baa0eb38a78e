import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../../src/core/plan.js';
import { renderMarkdown } from '../../../../src/core/render/markdown.js';
import { printable } from '../../../../src/core/render/printable.js';
import { renderText } from '../../../../src/core/render/text.js';
import { member, state } from '../builders.js';

describe('printable', () => {
  it('shows control and bidi-override characters as \\u escapes and leaves other text alone', () => {
    expect(printable('a\u001b[2Jb')).toBe('a\\u001b[2Jb');
    expect(printable('t\te\nx\u007f\u009b')).toBe('t\\u0009e\\u000ax\\u007f\\u009b');
    expect(printable('abc\u202edcba')).toBe('abc\\u202edcba');
    expect(printable('VIP客户 😀 +86')).toBe('VIP客户 😀 +86');
  });
});

describe('text from YAML cannot drive a terminal', () => {
  const hostile = () =>
    buildPlan(
      state([
        { name: 'g\u001b]0;title\u0007', category: 'department', department: { field: 'wxDeptId', value: '1\u001b[31m' } },
        [member({ type: 'phone', value: '138\u001b[2J0000', platform: 'gzh\u001b[K', appid: 'wx\u009b1', isWeChatEcosystem: true })],
      ]),
      state(),
    );

  it('in the text plan', () => {
    const out = renderText(hostile(), { color: false, mask: false });
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('+ phone 138\\u001b[2J0000 (platform gzh\\u001b[K, appid wx\\u009b1, WeChat ecosystem)');
  });

  it('in the Markdown plan', () => {
    expect(renderMarkdown(hostile(), { mask: false })).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
