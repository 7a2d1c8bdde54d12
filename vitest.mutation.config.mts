import { defineConfig } from 'vitest/config';

// Only the pure specs, without servers: what `npm run mutation` (StrykerJS) runs once per mutant.
// Kept out of vitest.config.mts so `npm test` and CI never run the mutation check. No global
// setup: the pure specs inject nothing from it, and each mutant would pay for it.
process.env.HOMEWARD_SKIP_SERVERS = '1';

export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/data-minimisation.test.ts', 'test/config.test.ts'],
    testTimeout: 60_000,
    maxWorkers: 1,
    // Pure specs share no state between files: one module graph per run makes each mutant's run
    // about five times faster than re-importing zod and the domain for every file.
    isolate: false,
  },
});
