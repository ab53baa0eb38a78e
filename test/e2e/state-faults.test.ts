import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { createRepo, desiredKeys, groupYaml, holdsExactly, phones, runGroupops, sandboxEnv, snapshotKeys, type TempRepo } from '../helpers/apply-env.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { FaultyFileSystem, type Fault } from '../helpers/faulty-file-system.js';
import { textOf } from '../helpers/text-of.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

let sandbox: Sandbox | undefined;
let repo: TempRepo | undefined;
const own = ownedPerTest();

/** Runs the command line in this process (`main(argv, io)`), its snapshot's file system failing as `faults` say. */
async function groupops(args: string[], faults: readonly Fault[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => (stdout += textOf(s)) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...sandboxEnv(sandbox!), NO_COLOR: '1' },
    cwd: repo!.dir,
    fileSystem: new FaultyFileSystem(nodeFileSystem({ displayRoot: repo!.dir }), faults, repo!.dir),
  };
  const code = await main(['node', 'groupops', ...args], io);
  return { code, stdout, stderr };
}

/** A workspace applied once (100 members), then edited to need two add requests. */
async function appliedThenEdited(): Promise<{ before: string; want: Set<string> }> {
  sandbox = own(await startSandbox());
  repo = own(await createRepo({ '.groupops/config.yaml': 'api:\n  retries: 0\n  concurrency: 2\n', 'groups/a.yaml': groupYaml('A', phones(0, 100)) }));
  expect((await groupops(['apply', '--auto-approve'])).code).toBe(0);
  const before = (await repo.snapshotText())!;
  await repo.write({ 'groups/a.yaml': groupYaml('A', phones(0, 1100)) });
  repo.commit('more members');
  return { before, want: await desiredKeys(repo) };
}

/** The folder of the snapshot holds these names (no journal, lock or temporary file left over). */
async function stateFolder(): Promise<string[]> {
  return (await readdir(join(repo!.dir, '.groupops'))).sort();
}

function expectNoBugReport(stderr: string): void {
  expect(stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
}

describe('a full disk during apply (the CLI in process, its file system failing with ENOSPC)', () => {
  it('while journaling an answer: a clear error, exit 1, the snapshot untouched, and the next apply converges', async () => {
    const { before, want } = await appliedThenEdited();
    // The journal's first write is its header; the second is the first answer's record.
    const failed = await groupops(['apply', '--auto-approve'], [{ operation: 'write', path: /snapshot\.json\.journal$/, errno: 'ENOSPC', nth: 2 }]);
    expect(failed.code, failed.stderr).toBe(1);
    expectNoBugReport(failed.stderr);
    expect(failed.stderr).toMatch(/^error: could not write \.groupops\/snapshot\.json\.journal: the disk is full \(ENOSPC\)$/m);
    expect(failed.stderr).toMatch(/Request \d was acknowledged by the API but is not recorded: the next groupops apply sends it again \(adds and deletes are idempotent\)/);
    expect(failed.stderr).toMatch(/^Free some space on that disk, then run the command again\.$/m);
    expect(failed.stdout).toContain('Stopped before any of 2 requests was recorded.\nThe snapshot .groupops/snapshot.json is unchanged.');
    expect(await repo!.snapshotText()).toBe(before);
    expect(await stateFolder()).toEqual(['config.yaml', 'snapshot.json']);

    const again = await groupops(['apply', '--auto-approve']);
    expect(again.code, again.stderr).toBe(0);
    expect(holdsExactly(sandbox!, want)).toBe(true);
    expect(await snapshotKeys(repo!)).toEqual(want);
    const sent = sandbox!.requests().length;
    expect((await groupops(['apply', '--auto-approve'])).stdout).toContain('Nothing to apply: nothing was sent.');
    expect(sandbox!.requests()).toHaveLength(sent);
  });

  it('while writing the snapshot: a clear error, exit 1, the snapshot untouched, the journal kept, and the next apply recovers it without sending (end to end)', async () => {
    const { before, want } = await appliedThenEdited();
    const failed = await groupops(['apply', '--auto-approve'], [{ operation: 'write', path: /snapshot\.json\.\d+\.tmp$/, errno: 'ENOSPC' }]);
    expect(failed.code, failed.stderr).toBe(1);
    expectNoBugReport(failed.stderr);
    expect(failed.stderr).toMatch(/^error: could not write \.groupops\/snapshot\.json\.\d+\.tmp: the disk is full \(ENOSPC\)$/m);
    expect(failed.stderr).toContain(
      'Nothing acknowledged was lost: the 2 acknowledged requests are recorded in .groupops/snapshot.json.journal (synced to disk), and the next groupops apply writes them into .groupops/snapshot.json',
    );
    expect(await repo!.snapshotText()).toBe(before);
    expect(await stateFolder()).toEqual(['config.yaml', 'snapshot.json', 'snapshot.json.journal']);
    expect(holdsExactly(sandbox!, want)).toBe(true);

    // The plan already counts the journal's requests as applied.
    const plan = await groupops(['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes');

    // The built CLI, as a user runs it next: the interrupted apply is recovered, nothing is left to send.
    const sent = sandbox!.requests().length;
    const rerun = await runGroupops(['apply', '--auto-approve'], { cwd: repo!.dir, env: sandboxEnv(sandbox!) });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('Recovered 2 acknowledged requests of an interrupted apply from its journal into .groupops/snapshot.json.');
    expect(rerun.stdout).toContain('Nothing to apply: nothing was sent.');
    expect(rerun.stdout).toMatch(/Snapshot written: \.groupops\/snapshot\.json \(1100 memberships\)/);
    expect(sandbox!.requests()).toHaveLength(sent);
    expect(await stateFolder()).toEqual(['config.yaml', 'snapshot.json']);
    expect(await snapshotKeys(repo!)).toEqual(want);
    // Recorded for good: the next plan has nothing to add again.
    const after = await runGroupops(['plan', '--detailed-exitcode'], { cwd: repo!.dir, env: sandboxEnv(sandbox!) });
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('No changes');
  });
});

describe('state files the system refuses, through the CLI', () => {
  it('a folder where the snapshot should be: what it is and what to do, exit 1, nothing written', async () => {
    sandbox = own(await startSandbox());
    repo = own(await createRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)), 'state/snapshot.json/keep': '' }));
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      const result = await groupops([...command, '--state', 'state/snapshot.json']);
      expect(result.code, result.stderr).toBe(1);
      expectNoBugReport(result.stderr);
      expect(result.stderr).toContain('error: could not read state/snapshot.json: it is a folder, where groupops needs a file (EISDIR)');
      expect(result.stderr).toContain('Move the folder state/snapshot.json out of the way, or point --state');
    }
    expect(sandbox.requests()).toHaveLength(0);
    expect((await readdir(join(repo.dir, 'state'))).sort()).toEqual(['snapshot.json']);
  });

  it('a read-only file system: apply says so before sending anything, exit 1', async () => {
    sandbox = own(await startSandbox());
    repo = own(await createRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await groupops(['apply', '--auto-approve'], [{ operation: 'make-folder', path: /\.groupops$/, errno: 'EROFS' }]);
    expect(result.code, result.stderr).toBe(1);
    expectNoBugReport(result.stderr);
    expect(result.stderr).toMatch(
      /^error: could not create the folder \.groupops: the file system is read-only \(EROFS\)\nNothing was sent, and the snapshot is unchanged\.\nRun groupops where the work tree can be written/m,
    );
    expect(sandbox.requests()).toHaveLength(0);
  });
});

describe('file-system errors in the JSON documents', () => {
  const schema = (command: string) =>
    new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', `${command}-output.schema.json`), 'utf8')) as object);

  it('apply and plan --format json carry code FILE_SYSTEM, as their schemas say', async () => {
    await appliedThenEdited();
    const applied = await groupops(['apply', '--auto-approve', '--format', 'json'], [{ operation: 'write', path: /snapshot\.json\.\d+\.tmp$/, errno: 'ENOSPC' }]);
    expect(applied.code, applied.stderr).toBe(1);
    const applyDoc = JSON.parse(applied.stdout) as { error?: { code: string; message: string } };
    const validApply = schema('apply');
    expect(validApply(applyDoc), JSON.stringify(validApply.errors)).toBe(true);
    expect(applyDoc.error).toMatchObject({ code: 'FILE_SYSTEM', message: expect.stringMatching(/the disk is full \(ENOSPC\)\nNothing acknowledged was lost/) });

    const planned = await groupops(['plan', '--format', 'json'], [{ operation: 'read', path: /snapshot\.json$/, errno: 'EACCES' }]);
    expect(planned.code, planned.stderr).toBe(1);
    const planDoc = JSON.parse(planned.stdout) as { error?: { code: string; message: string } };
    const validPlan = schema('plan');
    expect(validPlan(planDoc), JSON.stringify(validPlan.errors)).toBe(true);
    expect(planDoc.error).toMatchObject({ code: 'FILE_SYSTEM', message: expect.stringContaining('could not read .groupops/snapshot.json: permission denied (EACCES)') });
  });
});
