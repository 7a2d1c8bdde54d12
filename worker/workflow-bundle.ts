import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions } from '@temporalio/worker';
import { failureConverterPath, payloadConverterPath } from '../codec/data-converter';
import { workflowInterceptorModules } from '../telemetry/temporal';

const root = path.join(__dirname, '..');

/**
 * How the pathway workflow is bundled, for the worker and for pre-built bundles (tests, bench).
 *
 * The pure modules are preloaded: with the SDK's reused V8 context, a module not preloaded is
 * instantiated again for every cached workflow (sdk-typescript issue 2227), and the zod schemas
 * built at the top of `schemas/` cost about 1.5 MB per cached pathway (bench memory phase:
 * docs/performance.md). Preloaded, they are built once per worker and shared.
 *
 * The SDK deep-freezes preloaded modules, so they must hold no per-workflow state (the domain is
 * pure by rule; test/workflows/shared-modules.test.ts runs pathways side by side in one worker).
 * Frozen zod schemas cannot parse (zod 4 memoizes onto them on first use): the workflow never
 * calls zod, and checks Updates against JSON Schema derived from zod when the module loads
 * (schemas/command-shapes.ts).
 */
export const workflowBundle = {
  workflowsPath: path.join(root, 'workflows', 'index.ts'),
  failureConverterPath,
  payloadConverterPath,
  workflowInterceptorModules,
  preloadModules: [
    'zod',
    path.join(root, 'schemas', 'commands.ts'),
    path.join(root, 'schemas', 'command-shapes.ts'),
    path.join(root, 'schemas', 'actor.ts'),
    path.join(root, 'domain', 'index.ts'),
    payloadConverterPath,
    // The workflow's own pure helpers (not discharge-pathway.ts: it sets up activities at load).
    ...['definitions', 'command-proofs', 'routing-context', 'search-attributes', 'search-attribute-values'].map(
      (name) => path.join(root, 'workflows', `${name}.ts`),
    ),
  ],
  // The SDK reads the bundle's inline source map into every workflow thread to map stack traces.
  // Lines and names are all it needs; the sources' text (zod's, mostly) was 1.1 MB of the 3.2 MB
  // bundle, held parsed by the worker for nothing.
  webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-source-map' }),
} satisfies Pick<
  BundleOptions,
  | 'workflowsPath'
  | 'failureConverterPath'
  | 'payloadConverterPath'
  | 'workflowInterceptorModules'
  | 'preloadModules'
  | 'webpackConfigHook'
>;

/**
 * The pathway workflow's bundle, as a worker given `workflowsPath` would build it itself. The
 * worker never builds it in its own process (worker/bundle-apart.ts): webpack's modules and what
 * it built stay in the heap for good, 75–140 MiB of a worker's RSS.
 */
export async function workflowBundleCode(): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...workflowBundle, logger: new DefaultLogger('WARN') });
  return code;
}

export async function writeWorkflowBundle(file: string): Promise<void> {
  fs.writeFileSync(file, await workflowBundleCode());
}
