import { Client } from 'pg';
import Redis from 'ioredis';
import { adminDatabaseUrl, testRedisUrl } from './harness-env';

/** Drops every database of this run and the Redis keys its apps wrote. */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.MMLITE_TEST_DB_PREFIX;
  if (!prefix || !prefix.startsWith('mmlite_test_')) {
    return;
  }
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${prefix}\\_%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  const redis = new Redis(testRedisUrl());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) {
        await redis.del(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
