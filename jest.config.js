// One Jest config, three tiers (STYLE.md): unit (pure, no I/O), db (real Postgres/Redis),
// e2e (booted apps). The db and e2e tiers migrate a template database once per run (their
// globalSetup); `npm run test:unit` needs no database at all.
const { readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const moduleNameMapper = {
  '^@app/migrations$': '<rootDir>/migrations',
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
};

const base = {
  rootDir: __dirname,
  transform: { '^.+\\.[tj]s$': ['@swc/jest', swc] },
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

const withDatabase = {
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
};

module.exports = {
  transform: base.transform,
  moduleNameMapper,
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,migrations}/**/*.spec.ts'] },
    {
      ...base,
      ...withDatabase,
      displayName: 'db',
      testMatch: ['<rootDir>/{apps,libs}/**/*.db-spec.ts'],
    },
    {
      ...base,
      ...withDatabase,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
