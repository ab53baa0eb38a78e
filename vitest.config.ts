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
  },
});
