import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * campaign_messages_pending_idx (pending and sending) lost its readers to
 * campaign_messages_claimable_idx (pending only): no scan of it in a whole benchmark run (claims,
 * reconciliation, two workers, cancelling a 1,000,000-recipient campaign). Each claim still paid
 * for it, an entry per message moved to sending.
 */
export class DropPendingSendingIndex1766300001000 implements MigrationInterface {
  name = 'DropPendingSendingIndex1766300001000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS campaign_messages_pending_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS campaign_messages_pending_idx`);
    // Reverts run in a transaction: a plain build (it locks writes while it runs).
    await q.query(`
      CREATE INDEX campaign_messages_pending_idx
        ON campaign_messages (campaign_id, id) WHERE status IN ('pending', 'sending')`);
  }
}
