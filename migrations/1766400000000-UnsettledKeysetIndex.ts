import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation pages through unsettled messages by (claimed_at, id), each tick after where the
 * last one stopped: a claim stamps one claimed_at on a whole batch, so claimed_at alone cannot say
 * where a page ended. The index gains id so each page is one range scan.
 */
export class UnsettledKeysetIndex1766400000000 implements MigrationInterface {
  name = 'UnsettledKeysetIndex1766400000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A failed build leaves an invalid index behind; drop it so the migration can run again (and
    // the old index goes only once the new one is built).
    await q.query(`DROP INDEX IF EXISTS campaign_messages_unsettled_key_idx`);
    await q.query(`
      CREATE INDEX CONCURRENTLY campaign_messages_unsettled_key_idx
        ON campaign_messages (claimed_at, id)
        WHERE status IN ('sending', 'in_doubt') OR claimed_by IS NOT NULL`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS campaign_messages_unsettled_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Reverts run in a transaction: plain builds (they lock writes while they run).
    await q.query(`
      CREATE INDEX IF NOT EXISTS campaign_messages_unsettled_idx ON campaign_messages (claimed_at)
        WHERE status IN ('sending', 'in_doubt') OR claimed_by IS NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS campaign_messages_unsettled_key_idx`);
  }
}
