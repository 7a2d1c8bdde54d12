import { loadConfig } from '../../../config';
import { createLogger } from '../../../config/logger';
import { startProjector } from '../../../projections/projector';
import { failed, serve } from './serve';

// The read model's projector in a process of its own, as `npm start`'s worker runs it (same
// code, its own consumer group: BENCH_PROJECTOR_GROUP), so its CPU is measured apart.
async function main() {
  const config = loadConfig();
  const projector = await startProjector(config, createLogger('bench-projector', config.logLevel), {
    groupId: process.env.BENCH_PROJECTOR_GROUP,
  });
  serve({ stats: async () => ({ ...projector.stats }) }, projector.stop);
}

main().catch(failed);
