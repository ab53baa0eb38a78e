// ESLint (flat config): JavaScript's recommended rules and typescript-eslint's type-checked ones,
// which catch what tsc lets through (a promise nobody awaits, a promise where a callback returns
// void, `await` on a value that is not a promise). Formatting is Prettier's business, so
// eslint-config-prettier turns off every rule that would argue with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // An async function without await is how a port whose adapter happens to be synchronous
      // (an in-memory one) keeps the promise-returning signature of the real one.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are deliberately unused (a destructured field left out, a parameter a
      // signature requires).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Control characters in a regular expression are what the code that refuses or escapes them means.
      'no-control-regex': 'off',
      // A failure kept as `unknown` (what a catch caught) is passed on as it is, not wrapped.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingAny: false, allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: false, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read JSON documents loosely (JSON.parse is `any` by design there) and hand the
    // methods of test doubles around; the type-checked rules about both would only add casts.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // bin/ and this file: plain JavaScript for Node, outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  prettier,
);
