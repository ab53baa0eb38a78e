import { describe, expect, it } from 'vitest';
import type { ApplyReport } from '../../src/core/apply-report.js';
import type { Plan } from '../../src/core/plan.js';
import { applyStepOutputs, planStepOutputs } from '../../src/github/step-outputs.js';

const plan = { checksum: 'd'.repeat(64), summary: { add: 1000, delete: 0, requests: 2 } } as unknown as Plan;

describe("the step outputs of the github commands (the Action's outputs)", () => {
  it('of a plan: the checksum and the counts of `Plan: …`; of invalid group files: only result=invalid; refused: only result=refused', () => {
    expect(planStepOutputs({ checksum: 'c'.repeat(64), summary: { add: 3, delete: 1, requests: 2 } })).toEqual({ result: 'planned', checksum: 'c'.repeat(64), add: '3', delete: '1', requests: '2' });
    expect(planStepOutputs(undefined)).toEqual({ result: 'invalid' });
    // A snapshot of another target: refused, whatever was planned, and no counts that could read as "no changes".
    expect(planStepOutputs({ checksum: 'c'.repeat(64), summary: { add: 0, delete: 0, requests: 0 } }, { refused: true })).toEqual({ result: 'refused' });
  });

  it('of an apply: its status, the plan it applied, the requests answered and the snapshot commit', () => {
    const report = {
      status: 'partial',
      plan,
      requests: [{ op: 'add', items: 500, batchId: '15314513451345123' }],
      recovered: 0,
      snapshotCommit: { sha: 'b'.repeat(40) },
    } as unknown as ApplyReport;
    expect(applyStepOutputs(report)).toEqual({ result: 'partial', checksum: 'd'.repeat(64), add: '1000', delete: '0', requests: '2', acknowledged: '1', 'snapshot-commit': 'b'.repeat(40) });
  });

  it('of an apply refused before it planned, or whose snapshot could not be committed: no counts, no commit', () => {
    expect(applyStepOutputs({ status: 'invalid', requests: [], recovered: 0 })).toEqual({ result: 'invalid', checksum: undefined, acknowledged: '0', 'snapshot-commit': undefined });
    const uncommitted = { status: 'applied', plan, requests: [], recovered: 0, snapshotCommit: { error: 'the branch moved' } } as unknown as ApplyReport;
    expect(applyStepOutputs(uncommitted)['snapshot-commit']).toBeUndefined();
  });
});
