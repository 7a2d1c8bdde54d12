import path from 'node:path';
import { failureConverterPath } from '../codec/data-converter';

const root = path.join(__dirname, '..');

/**
 * How the pathway workflow is bundled, for the worker and for pre-built bundles (tests, bench).
 *
 * The pure modules are preloaded: with the SDK's reused V8 context, a module not preloaded is
 * instantiated again for every cached workflow (sdk-typescript issue 2227), and the zod schemas
 * built at the top of `schemas/` cost about 1.5 MB per cached pathway (bench memory phase:
 * README's Performance section). Preloaded, they are built once per worker and shared.
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
  preloadModules: [
    'zod',
    path.join(root, 'schemas', 'commands.ts'),
    path.join(root, 'schemas', 'command-shapes.ts'),
    path.join(root, 'schemas', 'actor.ts'),
    path.join(root, 'domain', 'index.ts'),
    // The workflow's own pure helpers (not discharge-pathway.ts: it sets up activities at load).
    ...['definitions', 'routing-context', 'search-attributes', 'search-attribute-values'].map((name) => path.join(root, 'workflows', `${name}.ts`)),
  ],
};
