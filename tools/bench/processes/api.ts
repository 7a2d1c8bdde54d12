// First, as each role's entry point: tracing starts here when the OTEL_* environment asks (the tracing phase's children).
import '../../../telemetry/start';
import { startApi } from '../../../api/server';
import { loadConfig } from '../../../config';
import { createLogger } from '../../../config/logger';
import { failed, serve } from './serve';

// The HTTP API in a process of its own, configured from the environment exactly as `npm start`
// configures it, so its CPU is measured apart from the harness that drives it.
async function main() {
  const config = loadConfig();
  const api = await startApi(config, createLogger('homeward-api', config.logLevel));
  serve({}, api.close, { url: api.url });
}

main().catch(failed);
