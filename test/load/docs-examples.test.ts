import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateGroups } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

// The examples the docs show must be what groupops accepts.
const docs = join(import.meta.dirname, '../../docs');
const yamlBlocks = (page: string): string[] => [...readFileSync(join(docs, page), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('docs examples', () => {
  it('the config page shows a valid config, and a group file using its custom type and pattern validates', async () => {
    const [config] = yamlBlocks('config.md');
    repo = await createTempRepo({ files: { '.groupops/config.yaml': config!, 'desired/g.yaml': 'name: G\nmembers:\n  - memberNo: "M-7"\n  - phone: "+8613800000001"\n' } });
    const ws = await openWorkspace({ cwd: repo.dir });
    expect(ws.config.identityTypes.custom).toEqual(['memberNo']);
    expect((await validateGroups({ ...ws, groupsDir: 'desired' })).state.size).toBe(1);
  });

  it('the group files page shows valid group files, identity types config and an ignoreColumns entry', async () => {
    const blocks = yamlBlocks('group-files.md');
    const config = blocks.find((b) => b.includes('identityTypes:'))!;
    repo = await createTempRepo({
      files: {
        '.groupops/config.yaml': config,
        'groups/first.yaml': blocks[0]!,
        'groups/crm.yaml': `name: CRM\n${blocks.find((b) => b.includes('ignoreColumns'))!.replace(/^ {2}/gm, '')}`,
        'groups/crm-export.csv': 'phone,name,email\n13800000001,张伟,a@example.com\n',
      },
    });
    expect((await validateGroups(await openWorkspace({ cwd: repo.dir }))).state.size).toBe(2);
  });
});
