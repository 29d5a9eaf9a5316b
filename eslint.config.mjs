// Type-aware lint with the module boundaries of STYLE.md enforced, not remembered.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const FRAMEWORK = ['@nestjs/*', 'typeorm', 'bull', 'ioredis', 'pg', 'fastify'];
const DEEP = { group: ['@app/*/src', '@app/*/src/**'], message: "Import the library's index." };

// The dependency direction of STYLE.md, lowest first: a library may import only libraries listed
// before it (and the infrastructure libraries: common, config, db, redis, graph-*).
const LAYERS = [
  'accounts',
  'governor',
  'idempotency',
  'templates',
  'audiences',
  'consents',
  'segments',
  'campaigns',
  'webhooks',
  'conversions',
  'reports',
];
const above = (lib) => LAYERS.slice(LAYERS.indexOf(lib) + 1).map((l) => `@app/${l}`);
const FORBIDDEN_UPWARD = {
  common: ['@app/*'],
  'graph-contract': ['@app/*'],
  config: ['@app/*', '!@app/common'],
  'graph-client': ['@app/*', '!@app/graph-contract', '!@app/config', '!@app/common'],
  redis: ['@app/*', '!@app/config', '!@app/common'],
  db: ['@app/*', '!@app/config', '!@app/common', '!@app/migrations'],
  ...Object.fromEntries(LAYERS.map((l) => [l, [...above(l), '@app/testing']])),
  // The test harness is a library: it does not reach into apps/ (test/support boots them).
  testing: ['**/apps/**'],
};

const layerRules = Object.entries(FORBIDDEN_UPWARD).map(([lib, group]) => ({
  files: [`libs/${lib}/src/**/*.ts`],
  ignores: ['**/*.spec.ts', '**/*.db-spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          DEEP,
          { group, message: `libs/${lib} may not import a library above it (STYLE.md).` },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.bench/**',
      '.cache/**',
      'jest.config.js',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/*/src', '@app/*/src/**'], message: "Import the library's index." },
          ],
        },
      ],
    },
  },
  {
    // Nest's DI needs runtime imports of injected classes; type-only imports would erase them.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  ...layerRules,
  {
    // Pure rules: no framework or driver, and no other library at run time — only Meta's contract
    // (pure types and constants) and types of the libraries below (erased when compiled).
    files: ['libs/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            DEEP,
            {
              group: FRAMEWORK,
              message: 'domain/ is pure TypeScript: no framework or driver imports.',
            },
            {
              group: ['@app/*', '!@app/common', '!@app/graph-contract'],
              allowTypeImports: true,
              message:
                'domain/ may import @app/common, @app/graph-contract and types of other libraries.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@app/*', '!@app/graph-contract', '!@app/config', '!@app/common'],
              message: 'The sandbox speaks only the Graph contract; it must not know the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.db-spec.ts',
      '**/*.e2e-spec.ts',
      'test/**/*.ts',
      'libs/testing/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
