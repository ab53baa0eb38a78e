import { afterEach, describe, expect, it } from 'vitest';
import { stageFiles } from '../../../src/adopt/stage-files.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('stageFiles', () => {
  it('writes aside in a hidden folder, places the files (keeping replaced and removed ones aside), and rolls back to the folder as it was', async () => {
    repo = await createTempRepo({ files: { 'groups/a.yaml': 'old a\n', 'groups/gone.yaml': 'old gone\n', 'groups/keep.yaml': 'keep\n' } });
    const before = await repo.fingerprint();
    const staged = await stageFiles(repo.dir, 'groups', [
      { path: 'a.yaml', text: 'new a\n' },
      { path: 'departments/wxDeptId-1/d.yaml', text: 'new d\n' },
    ]);
    expect(staged.dir).toMatch(/^\.groups\.adopt-/);
    expect(await repo.read(`${staged.dir}/departments/wxDeptId-1/d.yaml`)).toBe('new d\n');
    const placed = await staged.place([repo.path('groups/gone.yaml')]);
    expect(placed.replaced).toEqual(['a.yaml']);
    expect(await repo.read('groups/a.yaml')).toBe('new a\n');
    expect(await repo.read('groups/departments/wxDeptId-1/d.yaml')).toBe('new d\n');
    expect(await repo.exists('groups/gone.yaml')).toBe(false);
    await placed.rollback();
    await staged.discard();
    expect(await repo.fingerprint()).toEqual(before);
  });

  it('once placed and discarded, leaves only the new files', async () => {
    repo = await createTempRepo({ files: { 'other.txt': 'x' } });
    const staged = await stageFiles(repo.dir, 'groups', [{ path: 'a.yaml', text: 'a\n' }]);
    await staged.place();
    await staged.discard();
    expect(Object.keys(await repo.fingerprint())).toEqual(['groups/', 'groups/a.yaml', 'other.txt']);
  });
});
