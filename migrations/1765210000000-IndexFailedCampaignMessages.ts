import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web app lists a campaign's failed recipients by Meta's error code (GET
 * /v1/campaigns/:id/messages?status=failed&errorCode=…). Without an index that walks every message
 * of the campaign for a rare code; this one holds failed messages only, so it stays small and costs
 * the send path nothing until a message fails. Built concurrently: writes go on meanwhile.
 */
export class IndexFailedCampaignMessages1765210000000 implements MigrationInterface {
  name = 'IndexFailedCampaignMessages1765210000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A failed build leaves an invalid index behind; drop it so the migration can run again.
    await q.query(`DROP INDEX IF EXISTS campaign_messages_failed_idx`);
    await q.query(`
      CREATE INDEX CONCURRENTLY campaign_messages_failed_idx
        ON campaign_messages (campaign_id, (coalesce(error_code, 0)), id) WHERE status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS campaign_messages_failed_idx`);
  }
}
