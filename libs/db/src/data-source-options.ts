import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '@app/migrations';

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The one definition of how we talk to Postgres; `synchronize` is off by construction. No entities:
 * TypeORM is the pool and the migration runner, SQL is written in repositories.
 */
export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    extra: { max: poolSize, application_name: 'mmlite' },
  };
}
