// Alias-free on purpose: globalSetup/teardown load this before any @app/* alias can resolve.

/** Admin connection of the test server; its database is only used to create and drop others. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
