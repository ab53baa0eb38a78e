import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/cli.js';
import { ensureFreshBuild } from './helpers/fresh-build.js';

/**
 * Runs once before the test files (vitest's globalSetup):
 * - builds dist/ when a source file is newer than the last build, so that the tests that run the
 *   built CLI as a subprocess never test old code (`npx vitest run` right after editing src/);
 * - makes a temp folder for the run (TMPDIR, inherited by the test processes), in which each test
 *   file gets its own (test/file-setup.ts), and removes it at the end.
 */
export function setup(): () => void {
  ensureFreshBuild(REPO_ROOT);
  const runTemp = mkdtempSync(join(tmpdir(), 'groupops-suite-'));
  process.env.TMPDIR = runTemp;
  return () => rmSync(runTemp, { recursive: true, force: true });
}
