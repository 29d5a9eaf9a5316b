// Postgres access shared by the apps and the TypeORM CLI: one set of data-source options
// (migrations, naming, never synchronize), the Nest module, and helpers for pg errors.
export * from './data-source-options';
export * from './db.module';
export * from './pg-errors';
export * from './query-rows';
export * from './database';
