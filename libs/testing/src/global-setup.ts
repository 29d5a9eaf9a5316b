import { Client } from 'pg';
import { register } from 'tsconfig-paths';
import { adminDatabaseUrl } from './harness-env';

// globalSetup runs outside Jest's module map, so the @app/* aliases come from tsconfig here.
register({
  baseUrl: `${__dirname}/../../..`,
  paths: {
    '@app/migrations': ['migrations'],
    '@app/*': ['libs/*/src'],
  },
});

interface JestGlobalConfig {
  maxWorkers: number;
}

function dbUrl(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Once per test run: migrate a template database from zero, then clone one database per Jest
 * worker from it (CREATE DATABASE … TEMPLATE), so workers run in parallel without sharing rows.
 */
export default async function globalSetup(globalConfig: JestGlobalConfig): Promise<void> {
  // The db and e2e projects share one harness: the first project's setup makes it for both.
  if (process.env.MMLITE_TEST_DB_PREFIX) {
    return;
  }
  const prefix = `mmlite_test_${Date.now().toString(36)}_${process.pid}`;
  if (!prefix.includes('test')) {
    throw new Error(`refusing to touch a database whose name lacks "test": ${prefix}`);
  }
  const template = `${prefix}_tpl`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
    // Loaded after the alias hook above is in place.
    const { runMigrations } =
      require('../../db/src/migrate') as typeof import('../../db/src/migrate');
    await runMigrations(dbUrl(template));
    const workers = Math.max(1, globalConfig.maxWorkers);
    for (let i = 1; i <= workers; i++) {
      await admin.query(`CREATE DATABASE ${prefix}_w${i} TEMPLATE ${template}`);
    }
  } finally {
    await admin.end();
  }
  process.env.MMLITE_TEST_DB_PREFIX = prefix;
}
