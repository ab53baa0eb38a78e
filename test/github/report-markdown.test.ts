import { describe, expect, it } from 'vitest';
import { renderApplyMarkdown } from '../../src/github/apply-report.js';
import { provenanceLine } from '../../src/github/plan-comment.js';

describe('branch names in the PR comments', () => {
  // Inside a code span GitHub shows entities literally, so a branch must not be entity-escaped there.
  it('shows the applied branch as written in the result comment', () => {
    const md = renderApplyMarkdown({ status: 'unchanged', branch: 'release/v1.2-rc', appliedCommit: 'abcdef0123456789', requests: [] }, { marker: false });
    expect(md).toContain('Commit `abcdef0` on `release/v1.2-rc`.');
    expect(md).not.toContain('&#');
  });

  it('shows the base branch as written in the plan comment, even with a backtick in it', () => {
    expect(provenanceLine({ baseRef: 'team/main' })).toContain('Applied when merged into `team/main`.');
    expect(provenanceLine({ baseRef: 'odd`name' })).toContain('Applied when merged into ``odd`name``.');
  });
});
