import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Business-scoped user ids (BSUID, Meta's `user_id`, MMLITE-2026 row 19): since spring 2026 every
 * webhook carries one, and for users with a WhatsApp username the phone (`wa_id`/`from`) may be
 * left out. A contact keeps it beside the phone, so a BSUID-only opt-out still finds its contact.
 * One contact per BSUID in a workspace. The column is added empty (no rewrite) and the unique
 * index is built concurrently, so contacts stay writable meanwhile. An inbound message may now
 * name its sender by BSUID only (`from_user_id` without `from`).
 */
export class AddContactUserIds1765300000000 implements MigrationInterface {
  name = 'AddContactUserIds1765300000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts ADD COLUMN IF NOT EXISTS user_id text
        CONSTRAINT contacts_user_id_ck CHECK (user_id ~ '^[A-Z]{2}\\.[0-9A-Za-z]{1,120}$')`);
    // A failed build leaves an invalid index behind; drop it so the migration can run again.
    await q.query(`DROP INDEX IF EXISTS contacts_workspace_user_id_uq`);
    await q.query(`
      CREATE UNIQUE INDEX CONCURRENTLY contacts_workspace_user_id_uq
        ON contacts (workspace_id, user_id) WHERE user_id IS NOT NULL`);
    await q.query(`ALTER TABLE inbound_messages ALTER COLUMN from_wa_id DROP NOT NULL`);
    await q.query(`
      ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_sender_ck
        CHECK (from_wa_id IS NOT NULL OR from_user_id IS NOT NULL) NOT VALID`);
    await q.query(`ALTER TABLE inbound_messages VALIDATE CONSTRAINT inbound_messages_sender_ck`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE inbound_messages DROP CONSTRAINT IF EXISTS inbound_messages_sender_ck`,
    );
    await q.query(`DELETE FROM inbound_messages WHERE from_wa_id IS NULL`);
    await q.query(`ALTER TABLE inbound_messages ALTER COLUMN from_wa_id SET NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS contacts_workspace_user_id_uq`);
    await q.query(`ALTER TABLE contacts DROP COLUMN IF EXISTS user_id`);
  }
}
