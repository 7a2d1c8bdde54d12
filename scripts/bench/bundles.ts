import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundle } from '../../workers/workflow-bundle';

export interface Bundles {
  /** Homeward's workflows bundled as the worker bundles them (workers/workflow-bundle.ts). */
  pathway: string;
  /** The bare baseline workflow, bundled on its own. */
  bare: string;
}

/**
 * Bundles the workflow code once for every worker of the run: bundling takes seconds on 2 cores,
 * and the memory phase alone starts four workers.
 */
export async function buildBundles(dir: string): Promise<Bundles> {
  const logger = new DefaultLogger('WARN');
  const build = async (name: string, options: { workflowsPath: string }) => {
    const { code } = await bundleWorkflowCode({ ...options, logger });
    const file = path.join(dir, `${name}-workflows.js`);
    fs.writeFileSync(file, code);
    return file;
  };
  const [pathway, bare] = await Promise.all([
    build('pathway', workflowBundle),
    build('bare', { workflowsPath: path.join(__dirname, 'workflows', 'bare.ts') }),
  ]);
  return { pathway, bare };
}
