// First: instrumentations patch only the modules loaded after tracing starts.
import '../telemetry/start';
import { runRole } from '../runtime/role';
import { startApi } from './server';

/** `node … api/main.ts`: the `api` role, the HTTP API. Stateless: run as many as the load needs behind a load balancer. */
runRole('api', async (config, logger) => {
  const api = await startApi(config, logger);
  return { url: api.url, stop: api.close, checks: api.checks };
});
