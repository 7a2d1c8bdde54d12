import { defineConfig } from 'vitest/config';

// `npm run record-histories`: the suite's servers (same global setup), running only the recorder.
export default defineConfig({
  test: {
    include: ['test/histories/record.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/runtime.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
