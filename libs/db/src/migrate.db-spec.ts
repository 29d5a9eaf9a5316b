import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@app/migrations';
import { adminDatabaseUrl, runPrefix } from '@app/testing';
import { dataSourceOptions, MIGRATIONS_TABLE } from './data-source-options';
import { runMigrations } from './migrate';

/** Tables, functions and types of a database's public schema, beside the migrations table. */
async function schemaOf(ds: DataSource): Promise<string[]> {
  const rows: { what: string }[] = await ds.query(
    `SELECT 'table ' || table_name AS what FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name <> $1
     UNION ALL
     SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prokind = 'f'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
     UNION ALL
     SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
     ORDER BY 1`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((r) => r.what);
}

describe('migrations (a scratch database, from zero)', () => {
  const name = `${runPrefix()}_revert`;
  const url = (() => {
    const u = new URL(adminDatabaseUrl());
    u.pathname = `/${name}`;
    return u.toString();
  })();
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('revert one by one to an empty schema, and apply again', async () => {
    expect(await runMigrations(url)).toHaveLength(MIGRATIONS.length);
    const ds = new DataSource({ ...dataSourceOptions(url, 2), logging: false });
    await ds.initialize();
    try {
      const full = await schemaOf(ds);
      expect(full).toEqual(expect.arrayContaining(['table audit_log', 'table webhook_events']));
      for (let i = 0; i < MIGRATIONS.length; i++) {
        await ds.undoLastMigration({ transaction: 'each' });
      }
      expect(await schemaOf(ds)).toEqual([]);
      expect(await ds.query(`SELECT count(*)::int AS n FROM ${MIGRATIONS_TABLE}`)).toEqual([
        { n: 0 },
      ]);
      expect(await runMigrations(url)).toHaveLength(MIGRATIONS.length);
      expect(await schemaOf(ds)).toEqual(full);
    } finally {
      await ds.destroy();
    }
  });
});
