import { afterEach } from 'vitest';
import { validateGroups } from '../../src/app/plan-workspace.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { InvalidInputError, type SourceIssue } from '../../src/errors/index.js';
import type { DesiredGroups } from '../../src/load/load-groups.js';
import { createTempRepo, type Files, type TempRepo } from './temp-repo.js';

/** What validation made of a workspace: its groups, or the issues it refused it with. */
export type Validation = { readonly ok: true; readonly desired: DesiredGroups } | { readonly ok: false; readonly issues: readonly SourceIssue[] };

export interface ScratchRepos {
  /** A new temp repository holding `files`; the one this test made before is removed first. */
  create(files?: Files): Promise<TempRepo>;
  /** A new repository of `files`, validated as `plan` validates it (any other error is thrown). */
  validate(files: Files): Promise<Validation>;
}

/**
 * One temp repository at a time for the tests of a file, removed after each test: call once at
 * the top of a test file (it registers the afterEach).
 */
export function scratchRepos(): ScratchRepos {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });
  const create = async (files: Files = {}): Promise<TempRepo> => {
    await repo?.cleanup();
    repo = await createTempRepo({ files });
    return repo;
  };
  return {
    create,
    async validate(files) {
      const { dir } = await create(files);
      try {
        return { ok: true, desired: await validateGroups(await openWorkspace({ cwd: dir })) };
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        return { ok: false, issues: err.issues };
      }
    },
  };
}
