import { defineConfig } from 'vitest/config';

// Only the pure specs, without servers: what `npm run mutation` (StrykerJS) runs once per mutant.
// Kept out of vitest.config.mts so `npm test` and CI never run the mutation check.
process.env.HOMEWARD_SKIP_SERVERS = '1';

export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/agency-views.test.ts', 'test/config.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/runtime.ts'],
    testTimeout: 60_000,
    maxWorkers: 1,
  },
});
