import { countMemberships } from '../core/model.js';
import { safetyVerdict, type ReviewedPlan } from '../core/safety.js';
import type { FileSystem } from '../state/file-system.js';
import { planWorkspace } from './plan-workspace.js';
import type { Workspace } from './workspace.js';

/**
 * Plans for a PR's reviewers: the plan, and the verdict of the safety limits as the apply on merge
 * will check them (the repository's config, no override), so that a refusal is known before merging.
 * `sources`: whether the snapshot may be trusted to prove group files unchanged (the PR did not edit it).
 */
export async function reviewWorkspace(ws: Workspace, fs: FileSystem, options: { readonly sources: boolean }): Promise<ReviewedPlan> {
  const { plan, desired, snapshot } = await planWorkspace(ws, fs, undefined, options);
  const safety = safetyVerdict(
    {
      plan,
      appliedMemberships: countMemberships(snapshot.applied),
      desired: { dir: ws.groupsDir, folderExists: desired.folderExists, memberships: countMemberships(desired.state) },
    },
    { ...ws.config.safety, allowMassDelete: false },
  );
  return { plan, safety };
}
