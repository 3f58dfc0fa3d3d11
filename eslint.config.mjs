// ESLint flat config: type-aware rules that matter for async code, and module boundaries
// (services import libs through their package names, never another service or a lib's deep path).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'scripts/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@switchboard/svc-*', '**/services/*/src/**'],
              message: 'Services never import other services; share through libs/.',
            },
            { group: ['@switchboard/*/src/**', '**/libs/*/src/**'], message: 'Import a lib through its package name.' },
            {
              group: ['@switchboard/testing'],
              message: 'libs/testing is not shipped (scripts/build.mjs): only tests and benches import it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The database boundary is typed: every statement names the rows it returns (`query<FooRow[]>`,
    // defined once beside its repository); a statement that returns none goes through `execute`
    // from @switchboard/persistence. Migrations are reviewed SQL and answer nothing.
    files: ['services/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/migrations/**', 'libs/persistence/src/statements.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']:not([typeArguments])",
          message:
            'Type the rows: query<FooRow[]>(...) with FooRow defined beside the repository; execute() or returning() from @switchboard/persistence for statements that return none or UPDATE/DELETE ... RETURNING.',
        },
        {
          selector: "CallExpression[callee.property.name='query'][typeArguments.params.0.type='TSUnknownKeyword']",
          message: 'query<unknown> reads nothing: use execute() or returning() from @switchboard/persistence.',
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'services/*/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@switchboard/svc-*', '**/services/*/src/**'],
              message: 'Benches drive services, never import them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests may drive the loopback providers; nothing else crosses a service boundary.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@switchboard/svc-*', '!@switchboard/svc-dev-providers'],
              message: 'Tests may import only the dev-providers service.',
            },
          ],
        },
      ],
    },
  },
);
