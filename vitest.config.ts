import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long fault and crash runs: `npm run test:soak` (vitest.soak.config.ts), which .ci/run runs too.
    exclude: ['test/soak/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The end-to-end test starts a browser; everything else is quick. Two cores: two workers.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
