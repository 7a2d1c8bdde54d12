import { roles } from '../runtime/node-runtime.cjs';
import { startTracing } from './tracing';

/**
 * Imported first by each role's entry point, before anything it traces is loaded: starts tracing
 * when the `OTEL_*` environment asks for it, named after the role whose entry point is running.
 */
const role = Object.entries(roles).find(([, entry]) => process.argv[1]?.replaceAll('\\', '/').endsWith(entry))?.[0];
startTracing(`homeward-${role ?? 'process'}`);
