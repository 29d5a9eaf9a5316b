import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resends of messages in doubt wait until Meta's status stream has caught up with them: the
 * reconciler asks for a campaign's latest request whose status has come
 * (DeliveryRepository.latestProvenRequests). This index lets it walk from the newest request down
 * instead of reading the whole campaign. Built concurrently: writes go on meanwhile.
 */
export class IndexCampaignMessageRequests1765600000000 implements MigrationInterface {
  name = 'IndexCampaignMessageRequests1765600000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A failed build leaves an invalid index behind; drop it so the migration can run again.
    await q.query(`DROP INDEX IF EXISTS campaign_messages_request_idx`);
    await q.query(`
      CREATE INDEX CONCURRENTLY campaign_messages_request_idx
        ON campaign_messages (campaign_id, last_request_at) WHERE last_request_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS campaign_messages_request_idx`);
  }
}
