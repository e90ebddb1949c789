import { defineConfig } from 'vitest/config';

/** `npm run test:soak`: 500 leads under faults and a SIGKILL mid-send, each with the server as its own process. */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.test.ts'],
    // The throwaway PostgreSQL cluster for the several-instances run (and the widget build).
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // One at a time: each run measures rates and must not share the two cores with another.
    maxWorkers: 1,
    reporters: ['default'],
  },
});
