import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '@app/migrations';
import { SnakeNamingStrategy } from './naming-strategy';

export const MIGRATIONS_TABLE = 'schema_migrations';

/** The one definition of how we talk to Postgres; `synchronize` is off by construction. */
export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    namingStrategy: new SnakeNamingStrategy(),
    extra: { max: poolSize, application_name: 'mmlite' },
  };
}
