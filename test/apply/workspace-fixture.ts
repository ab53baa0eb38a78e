import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { groupKey, identityKey, type MembershipState } from '../../src/core/model.js';

export { groupYaml, phones } from '../helpers/apply-env.js';

/** A temporary workspace folder; files are written relative to it. */
export async function tempWorkspace(files: Record<string, string>): Promise<{ dir: string; write(files: Record<string, string | null>): Promise<void>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'groupops-apply-'));
  const write = async (more: Record<string, string | null>): Promise<void> => {
    for (const [path, text] of Object.entries(more)) {
      const full = join(dir, path);
      if (text === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, text);
      }
    }
  };
  await write(files);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A membership state as "groupKey|memberKey" strings, comparable with FakeApi.held. */
export function membershipKeys(state: MembershipState): Set<string> {
  const out = new Set<string>();
  for (const [gk, g] of state) {
    if (gk !== groupKey(g.group)) throw new Error('inconsistent group key');
    for (const m of g.members.values()) out.add(`${gk}|${identityKey(m.identities[0]!)}`);
  }
  return out;
}
