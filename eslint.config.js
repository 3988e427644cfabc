// ESLint flat config for the whole monorepo (`npm run lint`, also step 2 of `npm test`).
//
// - TypeScript under packages/*/{src,test} is linted WITH type information (typescript-eslint's
//   projectService finds each package's tsconfig.json), so promise rules can see what returns a promise.
// - Plain JavaScript (scripts/, bin/, this file) is linted without type information.
// - The full recommended-type-checked set is too noisy for this code base; we take the syntactic
//   `recommended` set and add the type-aware rules that catch real bugs (floating/misused promises,
//   awaiting non-thenables).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS_FILES = ['packages/*/src/**/*.{ts,tsx,mts,cts}', 'packages/*/test/**/*.{ts,tsx,mts,cts}'];
const JS_FILES = ['**/*.{js,mjs,cjs}'];

const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrors: 'all',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    'data/**',
    '**/.hotline-test-*/**',
    '**/coverage/**',
    '**/*.d.ts',
  ]),

  // Everything: plain JS rules.
  {
    files: [...JS_FILES, ...TS_FILES],
    extends: [js.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },

  // Plain JavaScript: Node scripts, bins, config files. No type information.
  {
    files: JS_FILES,
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': unusedVars,
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // TypeScript with type information.
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // Type-aware rules that find real bugs.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],

      // Syntactic ones.
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // `list!.find(...)!` after a check the compiler cannot follow is used sparingly and on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // TS itself reports undefined names, with type knowledge (eslint's no-undef does not understand types).
      'no-undef': 'off',
    },
  },

  // The server logs through pino only (one logger, secrets redacted); never to the console. The TUI
  // logs to a file, never to the screen Ink draws on.
  {
    files: ['packages/server/src/**/*.{ts,tsx,mts,cts}', 'packages/tui/src/**/*.{ts,tsx,mts,cts}'],
    rules: { 'no-console': 'error' },
  },
);
