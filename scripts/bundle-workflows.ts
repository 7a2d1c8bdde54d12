import { writeWorkflowBundle } from '../workers/workflow-bundle';

/**
 * `bundle-workflows <file>`: writes the pathway workflow's bundle. The worker runs it in a process
 * of its own at start (workers/bundle-apart.ts); the container image runs it at build time and
 * points HOMEWARD_WORKFLOW_BUNDLE at the file.
 */
const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: bundle-workflows <file>');
  process.exit(2);
}
writeWorkflowBundle(file).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
