import type { MigrationInterface, QueryRunner } from 'typeorm';
import { COLS, COUNTERS, replaceAggregateFunctions } from './1766000000000-TemplateTtlExpired';

/**
 * Dated rate cards (MMLITE §9.1, MMLITE-2026 row 12): Meta charges per delivered template by
 * category × recipient country, and changes rates on quarter days.
 * - `rate_cards`: one price per calling code, category and `effective_from` day, in a currency; a
 *   row is in force from its day until the next row of the same key. `workspace_id` null: the
 *   defaults (the seeded card, in force since per-message pricing began, 2025-07-01); a workspace's
 *   own rows replace the defaults for their calling code and category from their day on;
 * - `campaign_billable_prefixes` now counts *delivered* billable messages per phone prefix,
 *   pricing category and UTC delivery day (Meta bills on delivery), recounted once from the rows;
 *   the statement-level triggers keep it from here on.
 */
export class DatedRateCards1766000001000 implements MigrationInterface {
  name = 'DatedRateCards1766000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rate_cards RENAME TO rate_cards_undated`);
    await q.query(`
      CREATE TABLE rate_cards (
        id bigserial PRIMARY KEY,
        workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
        calling_code text NOT NULL CHECK (calling_code ~ '^[1-9][0-9]{0,3}$'),
        country text CHECK (length(country) <= 100),
        category text NOT NULL CHECK (category IN ('marketing', 'utility', 'authentication')),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        price numeric(12, 6) NOT NULL CHECK (price >= 0),
        effective_from date NOT NULL CHECK (effective_from >= DATE '2000-01-01'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT rate_cards_key UNIQUE NULLS NOT DISTINCT (workspace_id, calling_code, category, effective_from)
      )`);
    await q.query(`
      INSERT INTO rate_cards (workspace_id, calling_code, country, category, currency, price, effective_from)
      SELECT NULL, calling_code, country, 'marketing', currency, marketing_rate, DATE '2025-07-01'
        FROM rate_cards_undated`);
    await q.query(`DROP TABLE rate_cards_undated`);

    await q.query(`
      ALTER TABLE campaign_billable_prefixes
        DROP CONSTRAINT campaign_billable_prefixes_pkey,
        ADD COLUMN pricing_category text NOT NULL DEFAULT '',
        ADD COLUMN day date`);
    await q.query(`DELETE FROM campaign_billable_prefixes`);
    await q.query(`
      INSERT INTO campaign_billable_prefixes (campaign_id, phone_prefix, pricing_category, day, messages)
      SELECT campaign_id, substr(phone, 2, 4), coalesce(pricing_category, ''),
             (coalesce(delivered_at, read_at) AT TIME ZONE 'UTC')::date, count(*)
        FROM campaign_messages
       WHERE billable AND coalesce(delivered_at, read_at) IS NOT NULL
       GROUP BY 1, 2, 3, 4`);
    await q.query(`
      ALTER TABLE campaign_billable_prefixes ALTER COLUMN day SET NOT NULL,
        ADD PRIMARY KEY (campaign_id, phone_prefix, pricing_category, day)`);
    await replaceAggregateFunctions(q, COUNTERS, `${COLS}, pricing_category`, 'by-day');
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceAggregateFunctions(q, COUNTERS, COLS, 'by-prefix');
    await q.query(`
      ALTER TABLE campaign_billable_prefixes
        DROP CONSTRAINT campaign_billable_prefixes_pkey,
        DROP COLUMN pricing_category, DROP COLUMN day`);
    await q.query(`DELETE FROM campaign_billable_prefixes`);
    await q.query(`
      INSERT INTO campaign_billable_prefixes (campaign_id, phone_prefix, messages)
      SELECT campaign_id, substr(phone, 2, 4), count(*) FROM campaign_messages
       WHERE billable GROUP BY 1, 2`);
    await q.query(
      `ALTER TABLE campaign_billable_prefixes ADD PRIMARY KEY (campaign_id, phone_prefix)`,
    );

    await q.query(`ALTER TABLE rate_cards RENAME TO rate_cards_dated`);
    await q.query(`
      CREATE TABLE rate_cards (
        calling_code text PRIMARY KEY CHECK (calling_code ~ '^[1-9][0-9]{0,3}$'),
        country text,
        currency char(3) NOT NULL,
        marketing_rate numeric(12, 6) NOT NULL CHECK (marketing_rate >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The undated card keeps, per calling code, the latest default marketing price.
    await q.query(`
      INSERT INTO rate_cards (calling_code, country, currency, marketing_rate)
      SELECT DISTINCT ON (calling_code) calling_code, country, currency, price
        FROM rate_cards_dated
       WHERE workspace_id IS NULL AND category = 'marketing'
       ORDER BY calling_code, effective_from DESC`);
    await q.query(`DROP TABLE rate_cards_dated`);
  }
}
