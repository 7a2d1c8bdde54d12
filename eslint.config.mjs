import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/histories/**', 'schemas/json/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The staff pages' scripts run in the browser, as written (no build step), sharing auth.js's and labels.js's globals.
    files: ['pages/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, HomewardAuth: 'readonly', HomewardLabels: 'readonly' } },
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
    // Workflow code is replayed: wall-clock time and randomness would break determinism.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
);
