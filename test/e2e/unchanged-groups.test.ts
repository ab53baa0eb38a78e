import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { forgeSource } from '../helpers/forge-source.js';
import { STATE, createRepo, groupYaml, phones, runGroupops, sandboxEnv, type TempRepo } from '../helpers/apply-env.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

// A plan leaves unread the group files an apply left exactly as declared (the snapshot records
// their sources, core/group-source.ts), and reads every file whose bytes, member lists or settings
// changed, or whose snapshot lines are not the ones written.

const own = ownedPerTest();

/** What `plan --verbose` says it left unread, or 0. */
function unchangedCount(stderr: string): number {
  const m = /(\d+) unchanged since the last apply/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

/** The `source` of each group in the snapshot text, by group name. */
function sourcesIn(text: string): Record<string, { files: string[]; digest: string } | undefined> {
  const doc = JSON.parse(text) as { groups: { group: { name: string }; source?: { files: string[]; digest: string } }[] };
  return Object.fromEntries(doc.groups.map((g) => [g.group.name, g.source]));
}

/** A repository applied to a sandbox, and `plan --verbose` in it against that sandbox (the snapshot's target). */
async function appliedRepo(files: Record<string, string>): Promise<{ repo: TempRepo; sandbox: Sandbox; plan: (...args: string[]) => ReturnType<typeof runGroupops> }> {
  const sandbox = own(await startSandbox());
  const repo = own(await createRepo(files));
  const applied = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
  expect(applied.code, applied.stderr).toBe(0);
  return { repo, sandbox, plan: (...args) => runGroupops(['plan', '--verbose', ...args], { cwd: repo.dir, env: { RABBITPRE_BASE_URL: sandbox.url } }) };
}

describe('a plan leaves unchanged group files unread', () => {
  it('after a complete apply: every group records its files, and the next plan reads none of them and shows no changes', async () => {
    const { repo, plan } = await appliedRepo({
      'groups/a.yaml': `${groupYaml('A', phones(0, 3))}memberFiles:\n  - a.csv\n`,
      'groups/a.csv': `phone\n${phones(10, 13).join('\n')}\n`,
      'groups/b.yaml': groupYaml('B', phones(0, 2), '7'),
    });
    const sources = sourcesIn((await repo.snapshotText())!);
    expect(sources.A?.files).toEqual(['groups/a.yaml', 'groups/a.csv']);
    expect(sources.B?.files).toEqual(['groups/b.yaml']);
    const again = await plan();
    expect(again.code, again.stderr).toBe(0);
    expect(unchangedCount(again.stderr)).toBe(2);
    expect(again.stdout).toContain('No changes. The group files match the snapshot.');
  });

  it('reads a group again when its member list, its file or the config changes, and plans exactly that change', async () => {
    const { repo, plan } = await appliedRepo({
      'groups/a.yaml': `${groupYaml('A', phones(0, 3))}memberFiles:\n  - a.csv\n`,
      'groups/a.csv': `phone\n${phones(10, 13).join('\n')}\n`,
      'groups/b.yaml': groupYaml('B', phones(0, 2)),
    });
    await repo.write({ 'groups/a.csv': `phone\n${phones(10, 14).join('\n')}\n` });
    const list = await plan('--no-mask');
    expect(unchangedCount(list.stderr)).toBe(1);
    expect(list.stdout).toContain('+ phone 13800000013');
    expect(list.stdout).toContain('Plan: 1 to add, 0 to delete');

    await repo.write({ 'groups/a.csv': `phone\n${phones(10, 13).join('\n')}\n`, 'groups/b.yaml': groupYaml('B', phones(0, 1)) });
    const file = await plan('--no-mask');
    expect(unchangedCount(file.stderr)).toBe(1);
    expect(file.stdout).toContain('- phone 13800000001');
    expect(file.stdout).toContain('Plan: 0 to add, 1 to delete');

    // A config that reads identities differently could make the same bytes another group: every file is read.
    await repo.write({ 'groups/b.yaml': groupYaml('B', phones(0, 2)), '.groupops/config.yaml': 'identityTypes:\n  custom: [crmId]\n' });
    const config = await plan();
    expect(unchangedCount(config.stderr)).toBe(0);
    expect(config.stdout).toContain('No changes.');
  });

  it('reads a group whose snapshot lines were edited by hand: the edit shows in the plan, never hidden by the recorded source', async () => {
    const { repo, plan } = await appliedRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)), 'groups/b.yaml': groupYaml('B', phones(0, 2)) });
    const text = (await repo.snapshotText())!;
    expect(text).toContain('"value":"13800000002"');
    // Someone removes a member line of A (and the comma before it), as a merge of two snapshots might.
    await repo.write({ [STATE]: text.replace('"}]},\n      {"identities":[{"type":"phone","value":"13800000002"}]}\n', '"}]}\n') });
    const edited = await plan('--no-mask');
    expect(edited.code, edited.stderr).toBe(0);
    expect(unchangedCount(edited.stderr)).toBe(1);
    expect(edited.stdout).toContain('# group A (enterprise)');
    expect(edited.stdout).toContain('+ phone 13800000002');
    expect(edited.stdout).toContain('Plan: 1 to add, 0 to delete');
  });

  it('reports a new file that declares an unchanged group where both declare it', async () => {
    const { repo, plan } = await appliedRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) });
    await repo.write({ 'groups/copy.yaml': groupYaml('A', phones(5, 6)) });
    const twice = await plan();
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('groups/a.yaml:1:1: group "A" (enterprise) is declared again in groups/copy.yaml:1');
    expect(twice.stderr).toContain('groups/copy.yaml:1:1: group "A" (enterprise) is already declared in groups/a.yaml:1');
  });

  it('deletes the memberships of a removed file whose group recorded a source', async () => {
    const { repo, plan } = await appliedRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)), 'groups/b.yaml': groupYaml('B', phones(0, 2)) });
    await repo.write({ 'groups/b.yaml': null });
    const removed = await plan();
    expect(unchangedCount(removed.stderr)).toBe(1);
    expect(removed.stdout).toContain('Plan: 0 to add, 2 to delete');
  });

  it('records no source for a group with warnings, whose file every plan reads to print them', async () => {
    const { repo, plan } = await appliedRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)), 'groups/w.yaml': 'name: W\nmembers:\n  - phone: "13800000001"\n  - phone: "+8613800000001"\n' });
    const sources = sourcesIn((await repo.snapshotText())!);
    expect(sources.A).toBeDefined();
    expect(sources.W).toBeUndefined();
    const again = await plan();
    expect(unchangedCount(again.stderr)).toBe(1);
    expect(again.stderr).toContain('differ only by the country prefix');
  });

  it('records no source after an apply that did not complete, and the next apply completes and records them', async () => {
    const sandbox = own(await startSandbox({ faults: { script: ['ok', 'systemError'] } }));
    const repo = own(await createRepo({ '.groupops/config.yaml': 'api:\n  retries: 0\n  concurrency: 1\n', 'groups/a.yaml': groupYaml('A', phones(0, 600)) }));
    const failed = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(failed.code).toBe(1);
    expect(sourcesIn((await repo.snapshotText())!).A).toBeUndefined();
    const plan = () => runGroupops(['plan', '--verbose'], { cwd: repo.dir, env: { RABBITPRE_BASE_URL: sandbox.url } });
    const rest = await plan();
    expect(unchangedCount(rest.stderr)).toBe(0);
    expect(rest.stdout).toContain('Plan: 100 to add, 0 to delete');
    const done = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(done.code, done.stderr).toBe(0);
    expect(sourcesIn((await repo.snapshotText())!).A?.files).toEqual(['groups/a.yaml']);
    expect(unchangedCount((await plan()).stderr)).toBe(1);
  });

  it('adopt records the sources of the group files it adopts', async () => {
    const repo = own(await createRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const adopted = await runGroupops(['adopt'], { cwd: repo.dir });
    const plan = () => runGroupops(['plan', '--verbose'], { cwd: repo.dir });
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(sourcesIn((await repo.snapshotText())!).A?.files).toEqual(['groups/a.yaml']);
    const again = await plan();
    expect(unchangedCount(again.stderr)).toBe(1);
    expect(again.stdout).toContain('No changes.');
  });

  it('apply refuses a source that hides a change (one written by hand), sending nothing; without it the plan shows the change', async () => {
    const { repo, sandbox, plan } = await appliedRepo({ 'groups/a.yaml': groupYaml('A', phones(0, 3)), 'groups/b.yaml': groupYaml('B', phones(0, 2)) });
    const sent = sandbox.requests().length;
    await repo.write({ 'groups/b.yaml': groupYaml('B', phones(0, 3)) });
    await forgeSource(repo.dir, 'B');
    // A plan trusts the snapshot it is given (docs/snapshot.md, "Sources"): this one hides the add.
    expect(unchangedCount((await plan()).stderr)).toBe(2);
    const refused = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the snapshot records a source for group "B" saying the group files declare exactly the members it holds, but they declare others');
    expect(refused.stderr).toContain('Nothing was sent.');
    expect(sandbox.requests()).toHaveLength(sent);
    // Without that source, the file is read and the change shows.
    const text = (await repo.snapshotText())!;
    await repo.write({ [STATE]: text.replace(/(\n {4}\]),"source":\{"files":\["groups\/b\.yaml"\],"digest":"[0-9a-f]{64}"\}\}/, '$1}') });
    const shown = await plan('--no-mask');
    expect(unchangedCount(shown.stderr)).toBe(1);
    expect(shown.stdout).toContain('+ phone 13800000002');
  });

  it('reports invalid group files before a snapshot that cannot be read, as without sources', async () => {
    const repo = own(await createRepo({ 'groups/a.yaml': 'name: A\nmembers: [\n', '.groupops/snapshot.json/keep': '' }));
    const planned = await runGroupops(['plan'], { cwd: repo.dir });
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain('groups/a.yaml:');
    expect(planned.stderr).toContain('the group files are invalid');
  });
});
