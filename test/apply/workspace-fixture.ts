import { groupKey, identityKey, type MembershipState } from '../../src/core/model.js';

import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

export { groupYaml, phones } from '../helpers/apply-env.js';

/** A temporary workspace folder; files are written relative to it (createTempRepo). */
export function tempWorkspace(files: Record<string, string>): Promise<TempRepo> {
  return createTempRepo({ files, prefix: 'groupops-apply-' });
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
