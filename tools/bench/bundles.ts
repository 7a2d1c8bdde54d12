import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeWorkflowBundle } from '../../worker/workflow-bundle';

export interface Bundles {
  /** Homeward's workflows bundled as the worker bundles them (worker/workflow-bundle.ts). */
  pathway: string;
  /** The bare baseline workflow, bundled on its own. */
  bare: string;
}

/**
 * Bundles the workflow code once for every worker of the run: bundling takes seconds on 2 cores,
 * and the memory phase alone starts four workers.
 */
export async function buildBundles(dir: string): Promise<Bundles> {
  const pathway = path.join(dir, 'pathway-workflows.js');
  const bare = path.join(dir, 'bare-workflows.js');
  const bundleBare = async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'workflows', 'bare.ts'),
      logger: new DefaultLogger('WARN'),
    });
    fs.writeFileSync(bare, code);
  };
  // Homeward's as runtime/bundle-workflows.ts builds it for a worker.
  await Promise.all([writeWorkflowBundle(pathway), bundleBare()]);
  return { pathway, bare };
}
