import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'projections/**/*.test.ts', 'readmodel/**/*.test.ts'],
    // The production profile's tests start engines of their own (`npm run test:production`).
    exclude: [...configDefaults.exclude, 'test/production/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: servers are shared, test files run two at a time at most.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
