import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * campaign_messages' references, checked per statement instead of per row. The row-level FKs to
 * campaigns and contacts cost two trigger calls per snapshotted recipient — about 40% of a
 * 20,000-row snapshot chunk. As for audience_members (CreateContactsAudiences), the insert trigger
 * key-share-locks the distinct referenced rows (as an FK would) and refuses unknown ids; a message
 * never changes its campaign or contact; deleting a campaign cascades to its messages, and
 * deleting a contact that still has messages fails, as the FKs did.
 */
export class ReplaceCampaignMessageForeignKeys1764600000000 implements MigrationInterface {
  name = 'ReplaceCampaignMessageForeignKeys1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION campaign_messages_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        wanted bigint;
        found bigint;
      BEGIN
        SELECT count(DISTINCT campaign_id) INTO wanted FROM new_rows;
        SELECT count(*) INTO found FROM (
          SELECT 1 FROM campaigns k
           WHERE k.id = ANY(ARRAY(SELECT DISTINCT campaign_id FROM new_rows)) FOR KEY SHARE
        ) locked;
        IF found <> wanted THEN
          RAISE EXCEPTION 'campaign_messages references a campaign that does not exist'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT count(DISTINCT contact_id) INTO wanted FROM new_rows;
        SELECT count(*) INTO found FROM (
          SELECT 1 FROM contacts c
           WHERE c.id = ANY(ARRAY(SELECT DISTINCT contact_id FROM new_rows)) FOR KEY SHARE
        ) locked;
        IF found <> wanted THEN
          RAISE EXCEPTION 'campaign_messages references a contact that does not exist'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER campaign_messages_check_refs AFTER INSERT ON campaign_messages
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION campaign_messages_check_refs()`);
    // Updates never move a message; the WHEN clause is evaluated without calling the function.
    await q.query(`
      CREATE FUNCTION campaign_messages_refs_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a campaign message cannot change its campaign or contact'
          USING ERRCODE = 'foreign_key_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER campaign_messages_refs_fixed BEFORE UPDATE ON campaign_messages
        FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
                           OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
        EXECUTE FUNCTION campaign_messages_refs_fixed()`);
    await q.query(`
      CREATE FUNCTION campaigns_cascade_messages() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM campaign_messages m USING old_rows o WHERE m.campaign_id = o.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER campaigns_cascade_messages AFTER DELETE ON campaigns
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION campaigns_cascade_messages()`);
    await q.query(`
      CREATE FUNCTION contacts_restrict_messages() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM campaign_messages m JOIN old_rows o ON m.contact_id = o.id) THEN
          RAISE EXCEPTION 'contacts are still referenced by campaign_messages'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER contacts_restrict_messages AFTER DELETE ON contacts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contacts_restrict_messages()`);
    await q.query(
      `ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_campaign_id_fkey`,
    );
    await q.query(
      `ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_contact_id_fkey`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER contacts_restrict_messages ON contacts`);
    await q.query(`DROP TRIGGER campaigns_cascade_messages ON campaigns`);
    await q.query(`DROP TRIGGER campaign_messages_refs_fixed ON campaign_messages`);
    await q.query(`DROP TRIGGER campaign_messages_check_refs ON campaign_messages`);
    await q.query(`DROP FUNCTION contacts_restrict_messages()`);
    await q.query(`DROP FUNCTION campaigns_cascade_messages()`);
    await q.query(`DROP FUNCTION campaign_messages_refs_fixed()`);
    await q.query(`DROP FUNCTION campaign_messages_check_refs()`);
    await q.query(`
      ALTER TABLE campaign_messages
        ADD CONSTRAINT campaign_messages_campaign_id_fkey
          FOREIGN KEY (campaign_id) REFERENCES campaigns(id) ON DELETE CASCADE,
        ADD CONSTRAINT campaign_messages_contact_id_fkey
          FOREIGN KEY (contact_id) REFERENCES contacts(id)`);
  }
}
