import { defineConfig } from 'vitest/config';

// `npm run test:production`: the production profile's suite on its own engines (the Temporal
// server on PostgreSQL with mTLS, …), started by its own global setup. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/production/**/*.test.ts'],
    globalSetup: ['test/production/global-setup.ts'],
    setupFiles: ['test/support/runtime.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores, and fault tests that start servers of their own: one file at a time.
    fileParallelism: false,
  },
});
