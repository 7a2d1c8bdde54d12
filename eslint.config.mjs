import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The direction of imports (README, Layout): the product never reaches into the tools or the tests,
// and the domain, replayed inside workflows, stands on itself and the schemas alone.
const notToolsOrTests = {
  regex: '(^|/)(tools|test)(/|$)',
  message:
    'Product code never imports tools/ or test/: move what it needs into the product (runtime/ holds what the tools and the product share).',
};
const domainOnly = {
  regex: '^(?!\\./|\\.\\./schemas/|zod$)',
  message: 'domain/ imports only domain/, schemas/ and zod: it is the pure core that workflows replay.',
};
// The same for the folders inside domain/ (domain/commands/): one level up is still domain/.
const domainFolderOnly = { ...domainOnly, regex: '^(?!\\./|\\.\\./(?!\\.\\./)|\\.\\./\\.\\./schemas/|zod$)' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/histories/**', 'schemas/json/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The staff pages' scripts run in the browser, as written (no build step), sharing auth.js's and labels.js's globals.
    files: ['pages/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, HomewardAuth: 'readonly', HomewardLabels: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs', 'docs/examples/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Product code: everything but the tools, the tests and the specs beside the code.
    files: ['**/*.{ts,cts,mts,js,cjs,mjs}'],
    ignores: ['tools/**', 'test/**', '**/*.test.ts', '*.*'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notToolsOrTests] }],
      // The same for require() in the plain-JS files (runtime/node-runtime.cjs, codec/*.cjs).
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/(^|\\/)(tools|test)(\\/|$)/]",
          message: notToolsOrTests.message,
        },
      ],
    },
  },
  {
    files: ['domain/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [notToolsOrTests, domainOnly] }] },
  },
  {
    files: ['domain/*/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [notToolsOrTests, domainFolderOnly] }] },
  },
  {
    // The tools (benchmarks, the demo, installers) have fixtures of their own, not the tests'.
    files: ['tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)test(/|$)',
              message: 'tools/ never imports test/: the tools keep their own fixtures (tools/fixtures.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: wall-clock time and randomness would break determinism.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
);
