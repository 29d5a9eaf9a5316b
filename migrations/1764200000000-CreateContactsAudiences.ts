import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contacts (one per workspace and E.164 phone), audiences and their members. `member_count` is kept
 * exact by statement-level triggers over transition tables, so every insert/delete of members —
 * imports running side by side included — adjusts it in the same statement, under the audience's
 * row lock.
 */
export class CreateContactsAudiences1764200000000 implements MigrationInterface {
  name = 'CreateContactsAudiences1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
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
    // Fast "who may receive marketing" filters: campaigns join audience members to contacts and
    // keep consent_status = 'opted_in'; lists filter by consent.
    await q.query(
      `CREATE INDEX contacts_consent_idx ON contacts (workspace_id, consent_status, created_at, id)`,
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

    await q.query(`
      CREATE TABLE audience_members (
        audience_id uuid NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        added_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (audience_id, contact_id)
      )`);
    await q.query(`CREATE INDEX audience_members_contact_idx ON audience_members (contact_id)`);

    await q.query(`
      CREATE FUNCTION audience_members_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE audiences a SET member_count = a.member_count + n.c
          FROM (SELECT audience_id, count(*) AS c FROM new_rows GROUP BY audience_id) n
         WHERE a.id = n.audience_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION audience_members_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE audiences a SET member_count = a.member_count - o.c
          FROM (SELECT audience_id, count(*) AS c FROM old_rows GROUP BY audience_id) o
         WHERE a.id = o.audience_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER audience_members_count_ins AFTER INSERT ON audience_members
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION audience_members_count_ins()`);
    await q.query(`
      CREATE TRIGGER audience_members_count_del AFTER DELETE ON audience_members
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION audience_members_count_del()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audience_members`);
    await q.query(`DROP FUNCTION audience_members_count_ins()`);
    await q.query(`DROP FUNCTION audience_members_count_del()`);
    await q.query(`DROP TABLE audiences`);
    await q.query(`DROP TABLE contacts`);
  }
}
