import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes the segment filters need, built without blocking writes (outside a transaction, each
 * step may be run again):
 * - contacts.attributes, GIN with jsonb_path_ops: `eq`/`in` on an attribute compile to containment
 *   (`attributes @> '{"tier":"gold"}'`), which this index answers without reading every contact;
 * - conversions by contact and time: the `converted` leaf and the holdout lift look up a contact's
 *   conversions in a window;
 * - contacts by workspace and id: a snapshot of a filter that names no audience walks the
 *   workspace's contacts in id order, in chunks.
 * Recently-messaged and frequency-cap checks use campaign_messages_contact_idx (contact_id).
 */
export class TargetingIndexes1764950001000 implements MigrationInterface {
  name = 'TargetingIndexes1764950001000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_attributes_gin ON contacts USING gin (attributes jsonb_path_ops)`,
    );
    await q.query(`
      CREATE INDEX CONCURRENTLY IF NOT EXISTS conversions_contact_idx
        ON conversions (workspace_id, contact_id, occurred_at) WHERE contact_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_workspace_id_idx ON contacts (workspace_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS contacts_workspace_id_idx`);
    await q.query(`DROP INDEX IF EXISTS conversions_contact_idx`);
    await q.query(`DROP INDEX IF EXISTS contacts_attributes_gin`);
  }
}
