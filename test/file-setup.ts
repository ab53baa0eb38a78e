import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

// Runs before each test file (vitest's setupFiles): the file gets a temp folder of its own as
// TMPDIR, which os.tmpdir() and the CLIs the tests start read, and the file fails if anything is
// left in it once its own clean-up has run (this hook is registered first, so it runs last).
const folder = mkdtempSync(join(tmpdir(), 'file-'));
process.env.TMPDIR = folder;

/**
 * Node's module compile cache: on Node 22 and later a tool the tests start (tsc, npm) may turn it
 * on, and Node keeps it under TMPDIR. It is Node's, not something a test made.
 */
const NODE_CACHE = 'node-compile-cache';

afterAll(() => {
  const left = readdirSync(folder)
    .filter((name) => name !== NODE_CACHE)
    .sort();
  rmSync(folder, { recursive: true, force: true });
  expect(left, 'files this test file left in its temp folder (each test removes what it creates)').toEqual([]);
});
