import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyReport } from '../../src/github/apply-report.js';
import { applyStepOutputs, planStepOutputs, writeStepOutputs } from '../../src/github/write-outputs.js';
import { parseOutputFile } from '../helpers/composite-action.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'groupops-outputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('step outputs (GITHUB_OUTPUT)', () => {
  it('of a plan: the checksum and the counts of `Plan: …`; of invalid group files: only result=invalid', () => {
    expect(planStepOutputs({ checksum: 'c'.repeat(64), summary: { add: 3, delete: 1, requests: 2 } })).toEqual({ result: 'planned', checksum: 'c'.repeat(64), add: 3, delete: 1, requests: 2 });
    expect(planStepOutputs(undefined)).toEqual({ result: 'invalid' });
  });

  it('of an apply: its status, the plan it applied, what was acknowledged and the snapshot commit', () => {
    const report: ApplyReport = {
      status: 'partial',
      branch: 'main',
      appliedCommit: 'a'.repeat(40),
      summary: { add: 1000, delete: 0, requests: 2 },
      checksum: 'd'.repeat(64),
      requests: [{ op: 'add', items: 500, batchId: '15314513451345123' }],
      snapshotCommit: { sha: 'b'.repeat(40) },
    };
    expect(applyStepOutputs(report)).toEqual({ result: 'partial', checksum: 'd'.repeat(64), add: 1000, delete: 0, requests: 2, acknowledged: 1, 'snapshot-commit': 'b'.repeat(40) });
    expect(applyStepOutputs({ status: 'refused', branch: 'main', appliedCommit: 'a'.repeat(40), requests: [] })).toEqual({
      result: 'refused',
      checksum: undefined,
      acknowledged: 0,
      'snapshot-commit': undefined,
    });
  });

  it('are appended in the runner\'s delimited form, so that no value can forge another output', async () => {
    const path = join(dir, 'output');
    await writeFile(path, 'earlier=kept\n');
    expect(await writeStepOutputs(path, { result: 'planned', add: 0, note: 'two\nlines\nforged=1', missing: undefined })).toBe(true);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^earlier=kept\nresult<<ghadelimiter_[0-9a-f-]{36}\nplanned\nghadelimiter_[0-9a-f-]{36}\n/);
    expect(parseOutputFile(text)).toEqual({ earlier: 'kept', result: 'planned', add: '0', note: 'two\nlines\nforged=1' });
  });

  it('are not written outside Actions (no GITHUB_OUTPUT)', async () => {
    expect(await writeStepOutputs(undefined, { result: 'planned' })).toBe(false);
  });
});
