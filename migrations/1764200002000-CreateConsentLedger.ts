import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent ledger: one append-only row per opt-in or opt-out. A trigger rejects UPDATE, DELETE
 * and TRUNCATE, so "append-only" holds whatever code runs against the database. The current
 * consent is derived into contacts.consent_status/consent_changed_at in the same transaction.
 */
export class CreateConsentLedger1764200002000 implements MigrationInterface {
  name = 'CreateConsentLedger1764200002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_ledger (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- append order: entries written by one statement share recorded_at
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        status text NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
        source text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
        proof text CHECK (length(proof) <= 2000),
        business_name text CHECK (length(business_name) <= 200),
        intent text CHECK (length(intent) <= 1000),
        occurred_at timestamptz(3) NOT NULL,
        recorded_at timestamptz(3) NOT NULL DEFAULT now(),
        recorded_by_kind text NOT NULL
          CHECK (recorded_by_kind IN ('api_key', 'import', 'webhook', 'system')),
        recorded_by_id text,
        effective boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX consent_ledger_contact_idx ON consent_ledger (contact_id, seq)`);
    // An import records at most one opt-in per contact, so a retried batch cannot append twice.
    await q.query(
      `CREATE UNIQUE INDEX consent_ledger_import_uq ON consent_ledger (contact_id, recorded_by_id)
        WHERE recorded_by_kind = 'import'`,
    );
    await q.query(`
      CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'consent_ledger is append-only (% rejected)', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE OR DELETE ON consent_ledger
        FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only()`);
    await q.query(`
      CREATE TRIGGER consent_ledger_no_truncate BEFORE TRUNCATE ON consent_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION consent_ledger_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consent_ledger`);
    await q.query(`DROP FUNCTION consent_ledger_append_only()`);
  }
}
