import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * App events reported by the business (deduplicated by event id per workspace — a unique
 * constraint, so a resent batch counts nothing twice), their attribution to a campaign message,
 * per-campaign conversion aggregates written in the same transaction, the per-workspace
 * attribution window, and what Meta reports about a template (MM Lite benchmarks with their date,
 * daily template analytics) with the fetch schedule that many workers share.
 */
export class CreateConversions1764500001000 implements MigrationInterface {
  name = 'CreateConversions1764500001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attribution_settings (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        window_days integer NOT NULL CHECK (window_days BETWEEN 1 AND 90),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE conversions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
        event_name text NOT NULL CHECK (event_name ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
        contact_id uuid, -- no foreign key: a conversion outlives the contact it came from
        phone text,
        value numeric(18, 4) CHECK (value >= 0),
        currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
        campaign_message_id bigint,
        touch text CHECK (touch IN ('delivered', 'read', 'clicked')),
        touched_at timestamptz,
        CONSTRAINT conversions_event_uq UNIQUE (workspace_id, event_id),
        CONSTRAINT conversions_value_has_currency CHECK (value IS NULL OR currency IS NOT NULL),
        CONSTRAINT conversions_attribution_ck
          CHECK ((campaign_message_id IS NULL) = (touch IS NULL) AND (touch IS NULL) = (touched_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX conversions_message_idx ON conversions (campaign_message_id) WHERE campaign_message_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX conversions_campaign_idx ON conversions (campaign_id) WHERE campaign_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE campaign_conversion_stats (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        event_name text NOT NULL,
        currency text NOT NULL DEFAULT '',
        events bigint NOT NULL,
        value numeric(24, 4) NOT NULL,
        PRIMARY KEY (campaign_id, event_name, currency)
      )`);
    // One row per message that converted at least once: "converted" in the funnel is distinct messages.
    await q.query(`
      CREATE TABLE campaign_converted_messages (
        campaign_message_id bigint PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE campaign_conversion_totals (
        campaign_id uuid PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
        converted_messages bigint NOT NULL CHECK (converted_messages >= 0)
      )`);

    await q.query(`
      CREATE TABLE template_insight_fetches (
        template_id uuid PRIMARY KEY REFERENCES templates(id) ON DELETE CASCADE,
        next_fetch_at timestamptz NOT NULL DEFAULT now(),
        last_fetched_at timestamptz,
        last_error text
      )`);
    await q.query(
      `CREATE INDEX template_insight_fetches_due_idx ON template_insight_fetches (next_fetch_at)`,
    );
    await q.query(`
      CREATE TABLE template_benchmarks (
        template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        as_of date NOT NULL,
        period_start date,
        read_rate numeric(9, 4),
        click_rate numeric(9, 4),
        ad_id text NOT NULL,
        raw jsonb NOT NULL,
        fetched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (template_id, as_of)
      )`);
    await q.query(`
      CREATE TABLE template_mm_daily (
        template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        day date NOT NULL,
        sent bigint NOT NULL DEFAULT 0,
        delivered bigint NOT NULL DEFAULT 0,
        read bigint NOT NULL DEFAULT 0,
        clicked bigint NOT NULL DEFAULT 0,
        cost numeric(18, 6),
        conversions jsonb NOT NULL DEFAULT '{}',
        fetched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (template_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'template_mm_daily',
      'template_benchmarks',
      'template_insight_fetches',
      'campaign_conversion_totals',
      'campaign_converted_messages',
      'campaign_conversion_stats',
      'conversions',
      'attribution_settings',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
