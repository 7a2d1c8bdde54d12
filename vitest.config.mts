import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'projections/**/*.test.ts'],
    // The production profile's suite runs on its own engines: `npm run test:production`.
    exclude: ['test/production/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: servers are shared, test files run two at a time at most.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
