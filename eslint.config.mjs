import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/', 'libs/db/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Request content is data, never a pattern (DESIGN.md invariant 9): a RegExp built at run time
    // from anything but a literal is how a property name once stalled the event loop for everyone.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'bin/**/*.js'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['NewExpression', 'CallExpression'].map((node) => ({
          selector: `${node}[callee.name='RegExp'][arguments.0.type!='Literal']`,
          message: 'Build regular expressions from literals only; compare untrusted text as text.',
        })),
      ],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no Node built-ins, no database, no Nest.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'crypto', 'net', 'http', 'child_process'],
              message: 'Workflows must stay deterministic.',
            },
            {
              group: ['@prisma/*', '@nestjs/*', '**/libs/db/**'],
              message: 'Workflows call activities for side effects.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
