// First: instrumentations patch only the modules loaded after tracing starts.
import '../telemetry/start';
import { runRole } from '../runtime/role';
import { startInboundBridges } from './inbound';

/**
 * `node … bridges/main.ts`: the `bridges` role, the ADT feed and every agency's responses
 * from Kafka into pathway commands. Instances share the inbound topics' partitions (one consumer
 * group); each message is committed only once its command is in Temporal.
 */
runRole('bridges', async (config, logger) => {
  const bridges = await startInboundBridges(config, logger);
  return { stop: bridges.stop, checks: bridges.checks };
});
