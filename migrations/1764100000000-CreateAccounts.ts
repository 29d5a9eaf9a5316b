import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workspaces, their hashed API keys, WhatsApp business accounts (token sealed) and phone numbers. */
export class CreateAccounts1764100000000 implements MigrationInterface {
  name = 'CreateAccounts1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        slug text UNIQUE,
        default_country char(2) CHECK (default_country ~ '^[A-Z]{2}$'),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        prefix text NOT NULL,
        key_hash bytea NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_key_hash_uq UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id, created_at, id)`);
    await q.query(`
      CREATE TABLE business_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        waba_id text NOT NULL CHECK (waba_id ~ '^[0-9]{1,30}$'),
        name text,
        access_token_sealed text NOT NULL,
        messaging_limit_per_day integer CHECK (messaging_limit_per_day IS NULL OR messaging_limit_per_day > 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT business_accounts_workspace_waba_uq UNIQUE (workspace_id, waba_id)
      )`);
    await q.query(
      `CREATE INDEX business_accounts_workspace_idx ON business_accounts (workspace_id, created_at, id)`,
    );
    await q.query(`
      CREATE TABLE phone_numbers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        business_account_id uuid NOT NULL REFERENCES business_accounts(id) ON DELETE CASCADE,
        phone_number_id text NOT NULL CHECK (phone_number_id ~ '^[0-9]{1,30}$'),
        display_phone_number text NOT NULL,
        verified_name text,
        quality_rating text,
        throughput_level text,
        graph_throughput_mps integer NOT NULL CHECK (graph_throughput_mps BETWEEN 1 AND 1000),
        throughput_mps_override integer CHECK (throughput_mps_override BETWEEN 1 AND 1000),
        messaging_limit_tier text,
        messaging_limit_per_day_override integer CHECK (messaging_limit_per_day_override > 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT phone_numbers_workspace_number_uq UNIQUE (workspace_id, phone_number_id)
      )`);
    await q.query(
      `CREATE INDEX phone_numbers_workspace_idx ON phone_numbers (workspace_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX phone_numbers_account_idx ON phone_numbers (business_account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE phone_numbers`);
    await q.query(`DROP TABLE business_accounts`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE workspaces`);
  }
}
