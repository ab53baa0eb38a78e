import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsStepIo, writeStepOutputs } from '../../src/github/step-io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'groupops-step-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Actions step I/O', () => {
  it('streams a file for a later step into RUNNER_TEMP and returns its path', async () => {
    const step = actionsStepIo({ RUNNER_TEMP: dir }, () => undefined);
    const path = await step.writeFile('groupops-plan-7-1.json', ['{\n', '  "a": 1\n', '}\n']);
    expect(path).toBe(join(dir, 'groupops-plan-7-1.json'));
    expect(await readFile(path, 'utf8')).toBe('{\n  "a": 1\n}\n');
  });

  it('appends step outputs as name=value lines, leaving out absent values', async () => {
    const output = join(dir, 'output');
    await writeFile(output, 'earlier=1\n');
    await writeStepOutputs(output, { 'plan-json': '/tmp/groupops-plan-7-1.json', other: undefined });
    expect(await readFile(output, 'utf8')).toBe('earlier=1\nplan-json=/tmp/groupops-plan-7-1.json\n');
    // Outside Actions (no GITHUB_OUTPUT) there is nothing to write to.
    await expect(writeStepOutputs(undefined, { 'plan-json': 'x' })).resolves.toBeUndefined();
  });

  it('says when there is no job summary, so the caller prints the Markdown instead', async () => {
    expect(await actionsStepIo({}, () => undefined).appendSummary('# plan')).toBe(false);
    const summary = join(dir, 'summary.md');
    expect(await actionsStepIo({ GITHUB_STEP_SUMMARY: summary }, () => undefined).appendSummary('# plan')).toBe(true);
    expect(await readFile(summary, 'utf8')).toBe('# plan\n');
  });
});
