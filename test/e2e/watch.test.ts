import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startCli, type RunningCli } from '../helpers/cli.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

let repo: TempRepo | undefined;
let watcher: RunningCli | undefined;

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await repo?.cleanup();
  repo = undefined;
});

/** How many plans (or failed plans) the watcher has finished: one status line each. */
const rounds = (stderr: string): number => stderr.split(' for changes (Ctrl-C to stop)').length - 1;
/** The output of the last round only. */
const lastRound = (text: string, marker: string): string => text.slice(text.lastIndexOf(marker));

describe('groupops plan --watch', () => {
  it('re-plans on every change, reports a broken file and keeps going, and exits 0 on Ctrl-C', async () => {
    repo = await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, prefix: 'groupops-e2e-watch-' });
    watcher = startCli(['plan', '--watch'], { cwd: repo.dir });
    const w = watcher;

    await w.waitFor((s) => rounds(s) === 1, { stream: 'stderr' });
    expect(w.stdout()).toContain('Plan: 20 to add, 0 to delete, in 2 requests.');

    // An edit: a new member is planned.
    const vip = await repo.read('groups/enterprise/vip-customers.yaml');
    await repo.write({ 'groups/enterprise/vip-customers.yaml': `${vip}  - phone: "13000000099"\n` });
    await w.waitFor(/Plan: 21 to add, 0 to delete, in 2 requests\./);
    expect(lastRound(w.stdout(), 'groupops will make these changes')).toContain('+ phone 13000000099');

    // An edit of the same size right after: still seen (no stale cached read).
    await repo.write({ 'groups/enterprise/vip-customers.yaml': `${vip}  - phone: "13000000098"\n` });
    await w.waitFor((s) => lastRound(s, 'groupops will make these changes').includes('+ phone 13000000098'));
    expect(lastRound(w.stdout(), 'groupops will make these changes')).not.toContain('13000000099');

    // A new file in a new folder is picked up too.
    await repo.write({ 'groups/new/extra.yaml': 'name: Extra\nmembers:\n  - phone: "13000000100"\n' });
    await w.waitFor(/Plan: 22 to add, 0 to delete, in 2 requests\./);
    expect(w.stderr()).toMatch(/\] planned in \d+ ms; watching groups\//);

    // A broken file: the error with its position, and the watcher keeps running.
    const roundsBefore = rounds(w.stderr());
    await repo.write({ 'groups/new/extra.yaml': 'name: Extra\nmembers:\n  - phone: 13000000100\n' });
    await w.waitFor(/groups\/new\/extra\.yaml:3:12: identity value 13000000100 is a YAML number/, { stream: 'stderr' });
    await w.waitFor((s) => rounds(s) > roundsBefore, { stream: 'stderr' });
    expect(w.child.exitCode).toBeNull();
    // Nothing was planned: the status line says the files were checked and how many problems they have.
    await w.waitFor(/\] checked in \d+ ms: 1 problem; watching groups\//, { stream: 'stderr' });
    const broken = w.stderr();
    expect(broken.slice(broken.indexOf('identity value 13000000100 is a YAML number'))).not.toContain('planned in');

    // Fixed again: planned again.
    const plansBefore = w.stdout().split('Plan: 22 to add').length;
    await repo.write({ 'groups/new/extra.yaml': 'name: Extra\nmembers:\n  - phone: "13000000100"\n' });
    await w.waitFor((s) => s.split('Plan: 22 to add').length > plansBefore);

    // A deleted file is planned without it.
    await repo.write({ 'groups/new/extra.yaml': null });
    await w.waitFor((s) => lastRound(s, 'groupops will make these changes').includes('Plan: 21 to add'));

    w.signal('SIGINT');
    const result = await w.done;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('stops cleanly on SIGTERM too, and writes nothing', async () => {
    repo = await createTempRepo({ copy: { groups: join(REPO_ROOT, 'groups') }, prefix: 'groupops-e2e-watch-' });
    const before = await repo.fingerprint();
    watcher = startCli(['plan', '--watch', '--format', 'json'], { cwd: repo.dir });
    await watcher.waitFor((s) => rounds(s) === 1, { stream: 'stderr' });
    expect((JSON.parse(watcher.stdout()) as { summary: unknown }).summary).toEqual({ add: 20, delete: 0, requests: 2 });
    watcher.signal('SIGTERM');
    expect(await watcher.done).toMatchObject({ code: 0, signal: null });
    expect(await repo.fingerprint()).toEqual(before);
  });

  it('reloads the config when it changes: created, broken (reported like a group file, watching goes on), fixed, pointing at another groups folder', async () => {
    repo = await createTempRepo({
      copy: { groups: join(REPO_ROOT, 'groups') },
      files: { 'other/solo.yaml': 'name: Solo\nmembers:\n  - phone: "13000000001"\n' },
      prefix: 'groupops-e2e-watch-',
    });
    watcher = startCli(['plan', '--watch'], { cwd: repo.dir });
    const w = watcher;
    await w.waitFor((s) => rounds(s) === 1, { stream: 'stderr' });
    expect(w.stderr()).toContain('; watching groups/ and .groupops/config.yaml for changes (Ctrl-C to stop)');
    expect(w.stdout()).toContain('Plan: 20 to add');

    // The config appears (its folder did not exist either): a v1 endpoint refuses the department groups' identity types.
    let before = rounds(w.stderr());
    await repo.write({ '.groupops/config.yaml': 'userGroups:\n  endpoint: v1\nv1:\n  isMatching: true\n' });
    await w.waitFor((s) => rounds(s) > before, { stream: 'stderr' });
    expect(lastRound(w.stderr(), 'workwechat')).toMatch(/problem/);

    // A broken config: its problem with file, line and column, then a round status; the watcher keeps running.
    before = rounds(w.stderr());
    await repo.write({ '.groupops/config.yaml': 'safety:\n  maxDeleteCont: 5\n' });
    await w.waitFor(/\.groupops\/config\.yaml:2:3: .*maxDeleteCont/, { stream: 'stderr' });
    await w.waitFor((s) => rounds(s) > before, { stream: 'stderr' });
    expect(lastRound(w.stderr(), 'maxDeleteCont')).toMatch(/\] checked in \d+ ms: 1 problem; watching groups\//);
    // A group file saved while the config is broken: the config's problem again, no plan with the old config.
    const plans = w.stdout().split('Plan:').length;
    before = rounds(w.stderr());
    const vip = await repo.read('groups/enterprise/vip-customers.yaml');
    await repo.write({ 'groups/enterprise/vip-customers.yaml': `${vip}  - phone: "13000000099"\n` });
    await w.waitFor((s) => rounds(s) > before, { stream: 'stderr' });
    expect(w.stdout().split('Plan:').length).toBe(plans);

    // Fixed, and pointing at another folder: that folder is planned and watched.
    await repo.write({ '.groupops/config.yaml': 'groups: other\n' });
    await w.waitFor(/Plan: 1 to add, 0 to delete, in 1 request\./);
    await w.waitFor((s) => s.includes('; watching other/ and .groupops/config.yaml for changes'), { stream: 'stderr' });
    await repo.write({ 'other/solo.yaml': 'name: Solo\nmembers:\n  - phone: "13000000001"\n  - phone: "13000000002"\n' });
    await w.waitFor(/Plan: 2 to add, 0 to delete, in 1 request\./);

    // The config removed: back to the defaults.
    await repo.write({ '.groupops/config.yaml': null });
    await w.waitFor((s) => lastRound(s, 'groupops will make these changes').includes('Plan: 21 to add'));

    w.signal('SIGINT');
    expect(await w.done).toMatchObject({ code: 0, signal: null });
  });
});
