import path from 'node:path';
import { failureConverterPath } from '../codec/data-converter';

const root = path.join(__dirname, '..');

/**
 * How the pathway workflow is bundled, for the worker and for pre-built bundles (tests, bench).
 * Not preloaded: preloading the pure modules would share their top-level zod schemas across
 * cached pathways (1,697 → 328 KiB each, measured), but the SDK freezes preloaded modules and
 * zod 4 memoizes onto its schema objects on first parse ("Cannot assign to read only property
 * 'parse'"), so every command failed. Revisit when the workflow no longer parses with zod.
 */
export const workflowBundle = {
  workflowsPath: path.join(root, 'workflows', 'index.ts'),
  failureConverterPath,
};
