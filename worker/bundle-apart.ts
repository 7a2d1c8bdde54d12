import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Logger } from 'pino';
import { nodeCommand } from '../runtime/node-runtime.cjs';

/**
 * The workflow bundle for a worker given none: built by runtime/bundle-workflows.ts in a process
 * of its own, so webpack never loads into the long-lived worker (worker/workflow-bundle.ts says
 * what that would cost). It comes back on stdout, so a worker stopped meanwhile leaves no file.
 */
export async function bundleApart(logger: Logger): Promise<string> {
  const started = Date.now();
  const [node, args, env] = nodeCommand(path.join(__dirname, '..', 'runtime', 'bundle-workflows.ts'), ['-']);
  const code = await new Promise<string>((resolve, reject) =>
    execFile(node, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`bundling the workflow code failed: ${stderr.trim().slice(-2000) || error.message}`))
        : resolve(stdout),
    ),
  );
  logger.debug({ ms: Date.now() - started, bytes: code.length }, 'workflow code bundled');
  return code;
}
