import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters in the webhook journal: an event that failed WEBHOOK_MAX_ATTEMPTS times gets
 * `dead_at` and waits for a manual retry; `waba_ids` (the payload's entry ids, noted on failure)
 * tells which workspaces may see it. A dead event is neither processed nor due for a retry.
 * Outside a transaction, as the journal is large and written all the time: the columns come
 * without a rewrite, the check is added NOT VALID and validated while writes go on, and the
 * index is built concurrently. Each step may be run again.
 */
export class AddWebhookDeadLetters1764900002000 implements MigrationInterface {
  name = 'AddWebhookDeadLetters1764900002000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS dead_at timestamptz`);
    await q.query(`ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS waba_ids text[]`);
    await q.query(`ALTER TABLE webhook_events DROP CONSTRAINT IF EXISTS webhook_events_dead_ck`);
    await q.query(`
      ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_dead_ck CHECK (
        dead_at IS NULL OR (processed_at IS NULL AND retry_at IS NULL AND attempts > 0)
      ) NOT VALID`);
    await q.query(`ALTER TABLE webhook_events VALIDATE CONSTRAINT webhook_events_dead_ck`);
    await q.query(`
      CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_events_dead_idx ON webhook_events (id)
        WHERE dead_at IS NOT NULL`);
  }

  // TypeORM reverts inside a transaction whatever `transaction` says: no CONCURRENTLY here (the
  // index is small, only dead letters are in it).
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS webhook_events_dead_idx`);
    await q.query(`ALTER TABLE webhook_events DROP CONSTRAINT IF EXISTS webhook_events_dead_ck`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN IF EXISTS waba_ids`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN IF EXISTS dead_at`);
  }
}
