import { workflowBundleCode, writeWorkflowBundle } from '../worker/workflow-bundle';

/**
 * `bundle-workflows <file>`: writes the pathway workflow's bundle; `-` writes it to stdout. The
 * worker runs it in a process of its own at start (worker/bundle-apart.ts); the container image
 * runs it at build time and points HOMEWARD_WORKFLOW_BUNDLE at the file.
 */
async function main(file: string | undefined) {
  if (!file) {
    console.error('usage: bundle-workflows <file> | -');
    process.exit(2);
  }
  if (file !== '-') return writeWorkflowBundle(file);
  // stdout carries the bundle alone: anything else said goes to stderr.
  console.log = console.error;
  process.stdout.write(await workflowBundleCode());
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
