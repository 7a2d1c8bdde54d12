import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { nodeCommand } from '../scripts/node-runtime.cjs';

/**
 * The workflow bundle for a worker given none: built by scripts/bundle-workflows.ts in a process
 * of its own, so webpack never loads into the long-lived worker (workers/workflow-bundle.ts says
 * what that would cost). The file is the worker's to read once and `remove`.
 */
export async function bundleApart(logger: Logger): Promise<{ codePath: string; remove: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-workflows-'));
  const codePath = path.join(dir, 'workflows.js');
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  const [node, args, env] = nodeCommand(path.join(__dirname, '..', 'scripts', 'bundle-workflows.ts'), [codePath]);
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(node, args, { env, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`bundling the workflow code failed: ${stderr.trim().slice(-2000) || error.message}`)) : resolve(),
      ),
    );
  } catch (error) {
    remove();
    throw error;
  }
  logger.debug({ ms: Date.now() - started }, 'workflow code bundled');
  return { codePath, remove };
}
