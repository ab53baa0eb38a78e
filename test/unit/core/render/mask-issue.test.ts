import { describe, expect, it } from 'vitest';
import { maskIssue } from '../../../../src/core/render/mask-issue.js';
import type { SourceIssue } from '../../../../src/errors/index.js';

const at = { file: 'groups/vip.yaml', line: 4, column: 12 };

describe('maskIssue', () => {
  it('replaces every quoted occurrence of a sensitive value with its mask, keeping the position', () => {
    const issue: SourceIssue = { ...at, message: 'identity value 18888888888 is a YAML number: quote it ("18888888888")', sensitive: ['18888888888'] };
    expect(maskIssue(issue)).toEqual({ ...at, message: 'identity value 188****8888 is a YAML number: quote it ("188****8888")' });
  });

  it('drops the sensitive list, since the values are no longer in the message', () => {
    const masked = maskIssue({ ...at, message: 'duplicate member: phone "13900000000"', sensitive: ['13900000000'] });
    expect(masked).not.toHaveProperty('sensitive');
    expect(masked.message).toBe('duplicate member: phone "139****0000"');
  });

  it('masks a longer value whole when a shorter sensitive value is part of it', () => {
    const masked = maskIssue({ ...at, message: 'a "13800000000" and a "138000"', sensitive: ['138000', '13800000000'] });
    expect(masked.message).toBe('a "138****0000" and a "1****0"');
  });

  it('treats values as text, not as patterns', () => {
    const masked = maskIssue({ ...at, message: 'value +86.138.0000 and +86x138y0000', sensitive: ['+86.138.0000'] });
    expect(masked.message).toBe('value +86****0000 and +86x138y0000');
  });

  it('leaves an issue without sensitive values (or with empty ones) as it is', () => {
    expect(maskIssue({ ...at, message: 'unknown field "memebrs"' })).toEqual({ ...at, message: 'unknown field "memebrs"' });
    expect(maskIssue({ ...at, message: 'x', sensitive: [''] })).toEqual({ ...at, message: 'x' });
  });

  it('masks short values whole', () => {
    expect(maskIssue({ ...at, message: 'phone "138" twice', sensitive: ['138'] }).message).toBe('phone "****" twice');
  });
});
