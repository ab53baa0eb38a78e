import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { groupKey, identityKey, type MembershipState } from '../../src/core/model.js';

/** A group file's content: an enterprise group, or a department group with a wxDeptId. */
export function groupYaml(name: string, phones: readonly string[], wxDeptId?: string): string {
  const head = wxDeptId === undefined ? `name: ${name}\ncategory: enterprise\n` : `name: ${name}\ncategory: department\ndepartment:\n  wxDeptId: "${wxDeptId}"\n`;
  return phones.length === 0 ? `${head}members: []\n` : `${head}members:\n${phones.map((p) => `  - phone: "${p}"\n`).join('')}`;
}

/** Phone numbers 1380000NNNN for the half-open range [from, to). */
export function phones(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`138${String(i).padStart(8, '0')}`);
  return out;
}

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
