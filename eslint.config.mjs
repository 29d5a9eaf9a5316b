// Type-aware lint with the module boundaries of STYLE.md enforced, not remembered.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const FRAMEWORK = ['@nestjs/*', 'typeorm', 'bull', 'ioredis', 'pg', 'fastify'];
const DEEP = { group: ['@app/*/src', '@app/*/src/**'], message: "Import the library's index." };

// The dependency direction of STYLE.md: a library may not import the libraries listed for it
// (those above it). Lower layers never reach up; consumers wire ports instead.
const FORBIDDEN_UPWARD = {
  common: ['@app/*'],
  'graph-contract': ['@app/*'],
  config: ['@app/*', '!@app/common'],
  'graph-client': ['@app/*', '!@app/graph-contract', '!@app/config', '!@app/common'],
  redis: ['@app/*', '!@app/config', '!@app/common'],
  db: ['@app/*', '!@app/config', '!@app/common', '!@app/migrations'],
  accounts: [
    '@app/templates',
    '@app/audiences',
    '@app/consents',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  governor: [
    '@app/accounts',
    '@app/templates',
    '@app/audiences',
    '@app/consents',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  idempotency: [
    '@app/accounts',
    '@app/templates',
    '@app/audiences',
    '@app/consents',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  templates: [
    '@app/audiences',
    '@app/consents',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  audiences: [
    '@app/templates',
    '@app/consents',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  consents: [
    '@app/templates',
    '@app/campaigns',
    '@app/webhooks',
    '@app/reports',
    '@app/conversions',
  ],
  webhooks: [
    '@app/templates',
    '@app/audiences',
    '@app/consents',
    '@app/campaigns',
    '@app/reports',
    '@app/conversions',
  ],
  campaigns: ['@app/reports', '@app/conversions'],
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
    files: ['libs/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: FRAMEWORK,
              message: 'domain/ is pure TypeScript: no framework or driver imports.',
            },
            { group: ['@app/*', '!@app/common'], message: 'domain/ may import only @app/common.' },
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
