// First: instrumentations patch only the modules loaded after tracing starts.
import '../telemetry/start';
import { runRole } from '../runtime/role';
import { startProjector } from './projector';

/**
 * `node … projections/main.ts`: the `projector` role, the read model kept from
 * homeward.pathway.events. Instances in one consumer group (HOMEWARD_PROJECTOR_GROUP) share the
 * topic's partitions; each partition's position is stored with the rows it produced.
 */
runRole('projector', async (config, logger) => {
  const projector = await startProjector(config, logger);
  return { stop: projector.stop, done: projector.done, checks: projector.checks };
});
