import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { failureConverterPath } from '../../codec/data-converter';

export interface Bundles {
  /** Homeward's workflows (workflows/index.ts) with the codec's failure converter, as a worker bundles them. */
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
  const build = async (name: string, workflowsPath: string, withFailureConverter: boolean) => {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger, ...(withFailureConverter ? { failureConverterPath } : {}) });
    const file = path.join(dir, `${name}-workflows.js`);
    fs.writeFileSync(file, code);
    return file;
  };
  const [pathway, bare] = await Promise.all([
    build('pathway', path.join(__dirname, '..', '..', 'workflows', 'index.ts'), true),
    build('bare', path.join(__dirname, 'workflows', 'bare.ts'), false),
  ]);
  return { pathway, bare };
}
