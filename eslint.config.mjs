// ESLint for the pages' JavaScript and its tests (scripts/test runs it):
// the recommended rules; the pages run in browsers, the tests in Node. The
// browser scripts in tests/e2e hand functions to the page to run there
// (page.evaluate), so they see the browser's globals too.

import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'build*/', 'tests/artifacts/'] },
  js.configs.recommended,
  {
    files: ['assets/web/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['tests/web/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['tests/e2e/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
];
