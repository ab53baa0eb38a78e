import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when the sources changed since (the subprocess tests run it): test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    // Gives each test file a temp folder of its own and fails the file if it leaves anything there.
    setupFiles: ['test/file-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file per core: vitest's default (cores - 1) runs the files one at a time on a 2-core
    // machine, though most of an end-to-end file's time is spent waiting for a server or a process.
    maxWorkers: '100%',
  },
});
