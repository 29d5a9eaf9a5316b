import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-campaign options Meta added in 2025–2026 (MMLITE-2026 rows 4, 21; `product_policy`, row 3,
 * has been a column since the campaigns table was created, and is now sent as set):
 * - `message_activity_sharing`: the per-message override of the WABA's sharing setting (null: not
 *   sent, the WABA's setting applies);
 * - `resume_at`: a campaign the engine held (134101, template still syncing with its ad) resumes
 *   by itself then; only a paused campaign can be held.
 * Column additions with constant defaults: no table rewrite.
 */
export class CampaignMetaOptions1765300001000 implements MigrationInterface {
  name = 'CampaignMetaOptions1765300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN message_activity_sharing boolean,
        ADD COLUMN resume_at timestamptz(3),
        ADD CONSTRAINT campaigns_resume_at_ck CHECK (resume_at IS NULL OR status = 'paused')`);
    await q.query(
      `CREATE INDEX campaigns_resume_at_idx ON campaigns (resume_at) WHERE resume_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS campaigns_resume_at_idx`);
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_resume_at_ck,
        DROP COLUMN resume_at, DROP COLUMN message_activity_sharing`);
  }
}
