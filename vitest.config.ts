import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The end-to-end test starts a browser; everything else is quick. Two cores: two workers.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
