import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig } from '@app/config';
import { adminDatabaseUrl, testRedisUrl } from './harness-env';

export { adminDatabaseUrl, testRedisUrl };

export const TEST_APP_SECRET = 'test-app-secret';
export const TEST_VERIFY_TOKEN = 'test-verify-token';

export function runPrefix(): string {
  const prefix = process.env.MMLITE_TEST_DB_PREFIX;
  if (!prefix) {
    throw new Error(
      'MMLITE_TEST_DB_PREFIX is not set: run tests through jest (globalSetup sets it)',
    );
  }
  return prefix;
}

export function workerIndex(): number {
  return Number(process.env.JEST_WORKER_ID ?? '1');
}

/** The database cloned from the migrated template for this Jest worker. */
export function workerDatabaseName(): string {
  return `${runPrefix()}_w${workerIndex()}`;
}

export function workerDatabaseUrl(): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${workerDatabaseName()}`;
  return url.toString();
}

let seq = 0;
/**
 * Jest runs several test files one after another in a worker and re-evaluates this module for
 * each: `seq` starts again, so a per-file nonce keeps Redis prefixes (governor timelines, queues,
 * fences) of two files apart — one file's moved clock must not leave another a booked-up timeline.
 */
const fileNonce = randomBytes(3).toString('hex');

/** A configuration for an app under test: this worker's database, a Redis prefix of its own. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  seq += 1;
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: workerDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `${runPrefix()}-w${workerIndex()}-${fileNonce}-${seq}`,
    APP_SECRET: TEST_APP_SECRET,
    WEBHOOK_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    LOG_FORMAT: 'json',
    // Tests choose the sandbox's wire explicitly: answers at once unless a test turns latency on.
    SANDBOX_LATENCY: 'off',
    ...env,
  });
}
