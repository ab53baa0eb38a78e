import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatAnnotation, issueAnnotations, repoPath } from '../../src/github/annotations.js';

describe('formatAnnotation', () => {
  it('writes the workflow command with file, line, col and title', () => {
    expect(formatAnnotation('error', 'members[0].phone must be quoted', { file: 'groups/vip.yaml', line: 7, col: 12, title: 'groupops' })).toBe(
      '::error file=groups/vip.yaml,line=7,col=12,title=groupops::members[0].phone must be quoted',
    );
  });

  it('escapes %, CR and LF in the message but keeps : and , readable', () => {
    expect(formatAnnotation('warning', '100% broken:\r\nsee a, b')).toBe('::warning::100%25 broken:%0D%0Asee a, b');
  });

  it('escapes : and , in property values so they cannot start a new property', () => {
    expect(formatAnnotation('error', 'x', { file: 'groups/a,line=1:b.yaml', line: 2 })).toBe('::error file=groups/a%2Cline=1%3Ab.yaml,line=2::x');
  });

  it('escapes % before the other characters so an escape is never double-read', () => {
    expect(escapeData('%0A')).toBe('%250A');
    expect(escapeProperty('%3A:')).toBe('%253A%3A');
  });
});

describe('issueAnnotations', () => {
  it('gives one error per issue, with the path relative to the repository root', () => {
    const lines = issueAnnotations(
      [
        { file: 'groups/a.yaml', line: 3, column: 5, message: 'unknown field "memebrs"; did you mean "members"?' },
        { file: 'groups/b.yaml', line: 1, column: 1, message: 'name is required' },
      ],
      { cwd: '/repo/sub', workspace: '/repo' },
      { mask: false },
    );
    expect(lines).toEqual([
      '::error file=sub/groups/a.yaml,line=3,col=5,title=groupops::unknown field "memebrs"; did you mean "members"?',
      '::error file=sub/groups/b.yaml,line=1,col=1,title=groupops::name is required',
    ]);
  });

  it('masks the identity values an issue quotes, only when asked', () => {
    const issue = { file: 'groups/a.yaml', line: 6, column: 5, message: 'duplicate member: phone "18888888888" is already listed on line 4', sensitive: ['18888888888'] };
    expect(issueAnnotations([issue], { cwd: '/repo' }, { mask: true })).toEqual([
      '::error file=groups/a.yaml,line=6,col=5,title=groupops::duplicate member: phone "188****8888" is already listed on line 4',
    ]);
    expect(issueAnnotations([issue], { cwd: '/repo' }, { mask: false })[0]).toContain('"18888888888"');
  });

  it('uses the working directory when there is no workspace, and keeps absolute paths inside it relative', () => {
    expect(repoPath('/repo/groups/x.yaml', { cwd: '/repo' })).toBe('groups/x.yaml');
    expect(repoPath('groups/x.yaml', { cwd: '/repo' })).toBe('groups/x.yaml');
  });
});
