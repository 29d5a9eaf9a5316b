import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention deletes Meta's click rows by when they came, a batch at a time, oldest first. */
export class IndexMetaLinkClicksReceived1766400001000 implements MigrationInterface {
  name = 'IndexMetaLinkClicksReceived1766400001000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A failed build leaves an invalid index behind; drop it so the migration can run again.
    await q.query(`DROP INDEX IF EXISTS meta_link_clicks_received_idx`);
    await q.query(`
      CREATE INDEX CONCURRENTLY meta_link_clicks_received_idx
        ON meta_link_clicks (received_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS meta_link_clicks_received_idx`);
  }
}
