import { describe, expect, it } from 'vitest';
import { roundOutcome } from '../../../src/cli/watch.js';
import { GroupopsError, InvalidInputError } from '../../../src/errors/index.js';

describe('roundOutcome: the status line of a plan --watch round', () => {
  const issue = { file: 'groups/a.yaml', line: 3, column: 5, message: 'x' };

  it('says a plan was made only when one was', () => {
    expect(roundOutcome(undefined, 9)).toBe('planned in 9 ms');
  });

  it('counts the problems of files that failed validation instead of claiming a plan', () => {
    expect(roundOutcome(new InvalidInputError([issue]), 9)).toBe('checked in 9 ms: 1 problem');
    expect(roundOutcome(new InvalidInputError([issue, { ...issue, line: 4 }]), 12)).toBe('checked in 12 ms: 2 problems');
  });

  it('points at the error above for any other failure', () => {
    expect(roundOutcome(new GroupopsError('STATE_CONFLICT', 'locked'), 3)).toBe('failed after 3 ms (see above)');
  });
});
