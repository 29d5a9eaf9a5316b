import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contacts (one per workspace and E.164 phone), audiences and their members. `member_count` is kept
 * exact by statement-level triggers over transition tables, so every insert/delete of members —
 * imports running side by side included — adjusts it in the same statement, under the audience's
 * row lock. The same triggers enforce the members' references set-based (see below).
 */
export class CreateContactsAudiences1764200000000 implements MigrationInterface {
  name = 'CreateContactsAudiences1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- references workspaces(id): checked per statement by contacts_after_insert (below)
        workspace_id uuid NOT NULL,
        phone text NOT NULL CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
        locale text CHECK (length(locale) <= 35),
        timezone text CHECK (length(timezone) <= 64),
        consent_status text NOT NULL DEFAULT 'none'
          CHECK (consent_status IN ('none', 'opted_in', 'opted_out')),
        consent_changed_at timestamptz(3),
        consent_recorded_via text
          CHECK (consent_recorded_via IN ('api_key', 'import', 'webhook', 'system')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT contacts_workspace_phone_uq UNIQUE (workspace_id, phone),
        CONSTRAINT contacts_consent_consistent_ck
          CHECK ((consent_status = 'none') = (consent_changed_at IS NULL))
      )`);
    await q.query(`CREATE INDEX contacts_workspace_idx ON contacts (workspace_id, created_at, id)`);
    // A row-level FK to workspaces costs one trigger call per imported contact; this checks the
    // (few) distinct workspaces of the statement instead, key-share-locking them as an FK would.
    await q.query(`
      CREATE FUNCTION contacts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        wanted bigint;
        found bigint;
      BEGIN
        SELECT count(DISTINCT workspace_id) INTO wanted FROM new_rows;
        SELECT count(*) INTO found FROM (
          SELECT 1 FROM workspaces w
           WHERE w.id IN (SELECT DISTINCT workspace_id FROM new_rows) FOR KEY SHARE
        ) locked;
        IF found <> wanted THEN
          RAISE EXCEPTION 'contacts references a workspace that does not exist'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER contacts_after_insert AFTER INSERT ON contacts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contacts_after_insert()`);
    await q.query(`
      CREATE FUNCTION workspaces_cascade_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM contacts c USING old_rows o WHERE c.workspace_id = o.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER workspaces_cascade_contacts AFTER DELETE ON workspaces
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION workspaces_cascade_contacts()`);
    // Fast consent filters. Partial, so an import that sets no consent does not maintain them;
    // campaigns reach consent through the primary key (audience_members → contacts).
    await q.query(
      `CREATE INDEX contacts_opted_in_idx ON contacts (workspace_id, created_at, id)
        WHERE consent_status = 'opted_in'`,
    );
    await q.query(
      `CREATE INDEX contacts_opted_out_idx ON contacts (workspace_id, created_at, id)
        WHERE consent_status = 'opted_out'`,
    );

    await q.query(`
      CREATE TABLE audiences (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text CHECK (length(description) <= 2000),
        member_count bigint NOT NULL DEFAULT 0 CHECK (member_count >= 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX audiences_workspace_idx ON audiences (workspace_id, created_at, id)`,
    );

    // Referential integrity of members is checked per statement, not per row: a row-level FK
    // costs two trigger calls per member, which halved import throughput. The insert trigger
    // key-share-locks the referenced contacts (as an FK would) and refuses unknown ids; delete
    // triggers on contacts and audiences cascade set-based.
    await q.query(`
      CREATE TABLE audience_members (
        audience_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        added_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (audience_id, contact_id)
      )`);
    await q.query(`CREATE INDEX audience_members_contact_idx ON audience_members (contact_id)`);

    await q.query(`
      CREATE FUNCTION audience_members_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        wanted bigint;
        found bigint;
      BEGIN
        SELECT count(DISTINCT contact_id) INTO wanted FROM new_rows;
        SELECT count(*) INTO found FROM (
          SELECT 1 FROM contacts c
           WHERE c.id = ANY(ARRAY(SELECT DISTINCT contact_id FROM new_rows)) FOR KEY SHARE
        ) locked;
        IF found <> wanted THEN
          RAISE EXCEPTION 'audience_members references a contact that does not exist'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        WITH n AS (SELECT audience_id, count(*) AS c FROM new_rows GROUP BY audience_id),
             u AS (UPDATE audiences a SET member_count = a.member_count + n.c
                     FROM n WHERE a.id = n.audience_id RETURNING a.id)
        SELECT (SELECT count(*) FROM n) - (SELECT count(*) FROM u) INTO found;
        IF found <> 0 THEN
          RAISE EXCEPTION 'audience_members references an audience that does not exist'
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION audience_members_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE audiences a SET member_count = a.member_count - o.c
          FROM (SELECT audience_id, count(*) AS c FROM old_rows GROUP BY audience_id) o
         WHERE a.id = o.audience_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER audience_members_after_insert AFTER INSERT ON audience_members
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION audience_members_after_insert()`);
    await q.query(`
      CREATE TRIGGER audience_members_after_delete AFTER DELETE ON audience_members
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION audience_members_after_delete()`);
    await q.query(`
      CREATE FUNCTION contacts_cascade_members() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM audience_members m USING old_rows o WHERE m.contact_id = o.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER contacts_cascade_members AFTER DELETE ON contacts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contacts_cascade_members()`);
    await q.query(`
      CREATE FUNCTION audiences_cascade_members() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM audience_members m USING old_rows o WHERE m.audience_id = o.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER audiences_cascade_members AFTER DELETE ON audiences
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION audiences_cascade_members()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER workspaces_cascade_contacts ON workspaces`);
    await q.query(`DROP TABLE audience_members`);
    await q.query(`DROP TABLE audiences`);
    await q.query(`DROP TABLE contacts`);
    for (const fn of [
      'audience_members_after_insert',
      'audience_members_after_delete',
      'contacts_cascade_members',
      'audiences_cascade_members',
      'contacts_after_insert',
      'workspaces_cascade_contacts',
    ]) {
      await q.query(`DROP FUNCTION ${fn}()`);
    }
  }
}
