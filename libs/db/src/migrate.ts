// `npm run migrate`: runs pending migrations (or reverts the last one with --revert) and exits.
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigError, loadDatabaseUrl } from '@app/config';
import { dataSourceOptions } from './data-source-options';

/** Creates the database named in the URL when the server has no such database yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) {
      return false;
    }
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function runMigrations(databaseUrl: string, revert = false): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(databaseUrl, 2), logging: false });
  await ds.initialize();
  try {
    if (revert) {
      await ds.undoLastMigration({ transaction: 'each' });
      return [];
    }
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  let url: string;
  try {
    url = loadDatabaseUrl(process.env);
  } catch (e) {
    process.stderr.write(
      `configuration error: ${e instanceof ConfigError ? e.problems.join('; ') : String(e)}\n`,
    );
    process.exit(1);
  }
  ensureDatabase(url)
    .then((created) => {
      if (created) {
        process.stdout.write(`created database ${new URL(url).pathname.slice(1)}\n`);
      }
      return runMigrations(url, process.argv.includes('--revert'));
    })
    .then(
      (names) => {
        process.stdout.write(
          names.length
            ? `applied ${names.length} migration(s): ${names.join(', ')}\n`
            : 'schema is up to date\n',
        );
      },
      (e: unknown) => {
        process.stderr.write(`migration failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
}
