import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns, their per-recipient message ledger (one row per campaign and contact: the database
 * forbids a second), live counters, and the per-country rate card for cost estimates.
 */
export class CreateCampaigns1764400000000 implements MigrationInterface {
  name = 'CreateCampaigns1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        template_id uuid NOT NULL REFERENCES templates(id),
        audience_id uuid NOT NULL REFERENCES audiences(id),
        phone_number_id uuid NOT NULL REFERENCES phone_numbers(id),
        parameters jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'draft'
          CHECK (status IN ('draft','scheduled','running','paused','completed','cancelled','failed')),
        status_reason text,
        scheduled_at timestamptz,
        late_policy text NOT NULL DEFAULT 'send' CHECK (late_policy IN ('send', 'fail')),
        throughput_mps integer CHECK (throughput_mps BETWEEN 1 AND 1000),
        send_window jsonb,
        product_policy text NOT NULL DEFAULT 'STRICT' CHECK (product_policy IN ('STRICT', 'CLOUD_API_FALLBACK')),
        targeted_at timestamptz,
        started_at timestamptz,
        paused_at timestamptz,
        completed_at timestamptz,
        cancelled_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaigns_scheduled_has_time CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX campaigns_workspace_idx ON campaigns (workspace_id, created_at, id)`,
    );
    await q.query(
      `CREATE INDEX campaigns_due_idx ON campaigns (scheduled_at) WHERE status = 'scheduled'`,
    );
    await q.query(`CREATE INDEX campaigns_running_idx ON campaigns (id) WHERE status = 'running'`);
    await q.query(`CREATE INDEX campaigns_template_idx ON campaigns (template_id)`);

    await q.query(`
      CREATE TABLE campaign_counters (
        campaign_id uuid PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
        targeted bigint NOT NULL DEFAULT 0,
        skipped bigint NOT NULL DEFAULT 0,
        queued bigint NOT NULL DEFAULT 0,
        sending bigint NOT NULL DEFAULT 0,
        sent bigint NOT NULL DEFAULT 0,
        delivered bigint NOT NULL DEFAULT 0,
        read bigint NOT NULL DEFAULT 0,
        clicked bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        billable bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (least(targeted, skipped, queued, sending, sent, delivered, read, clicked, failed, billable) >= 0)
      )`);

    await q.query(`
      CREATE TABLE campaign_messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        phone text NOT NULL,
        status text NOT NULL
          CHECK (status IN ('pending','sending','sent','delivered','read','failed','skipped','cancelled')),
        skip_reason text,
        wamid text,
        attempts integer NOT NULL DEFAULT 0,
        pair_rate_failures integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claimed_at timestamptz,
        claimed_by text,
        error_code integer,
        error_title text,
        error_details text,
        pricing_category text,
        billable boolean,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        clicked_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_messages_campaign_contact_uq UNIQUE (campaign_id, contact_id),
        CONSTRAINT campaign_messages_skip_reason_ck CHECK ((status = 'skipped') = (skip_reason IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX campaign_messages_wamid_uq ON campaign_messages (wamid) WHERE wamid IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX campaign_messages_pending_idx ON campaign_messages (campaign_id, id)
        WHERE status IN ('pending', 'sending')`,
    );
    await q.query(`CREATE INDEX campaign_messages_contact_idx ON campaign_messages (contact_id)`);

    await q.query(`
      CREATE TABLE rate_cards (
        calling_code text PRIMARY KEY CHECK (calling_code ~ '^[1-9][0-9]{0,3}$'),
        country text,
        currency char(3) NOT NULL,
        marketing_rate numeric(12, 6) NOT NULL CHECK (marketing_rate >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Illustrative marketing rates per delivered message (USD); operators replace them with Meta's card.
    await q.query(`
      INSERT INTO rate_cards (calling_code, country, currency, marketing_rate) VALUES
        ('55', 'BR', 'USD', 0.0625), ('52', 'MX', 'USD', 0.0305), ('57', 'CO', 'USD', 0.0125),
        ('54', 'AR', 'USD', 0.0618), ('56', 'CL', 'USD', 0.0889), ('51', 'PE', 'USD', 0.0703),
        ('91', 'IN', 'USD', 0.0107), ('62', 'ID', 'USD', 0.0411), ('44', 'GB', 'USD', 0.0529),
        ('49', 'DE', 'USD', 0.1365), ('33', 'FR', 'USD', 0.0859), ('34', 'ES', 'USD', 0.0615),
        ('39', 'IT', 'USD', 0.0691), ('31', 'NL', 'USD', 0.1597), ('234', 'NG', 'USD', 0.0516),
        ('27', 'ZA', 'USD', 0.0379), ('971', 'AE', 'USD', 0.0384), ('966', 'SA', 'USD', 0.0455),
        ('20', 'EG', 'USD', 0.1073), ('90', 'TR', 'USD', 0.0109), ('7', 'RU', 'USD', 0.0802),
        ('60', 'MY', 'USD', 0.086), ('63', 'PH', 'USD', 0.0368), ('92', 'PK', 'USD', 0.0473),
        ('972', 'IL', 'USD', 0.0353)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_cards`);
    await q.query(`DROP TABLE campaign_messages`);
    await q.query(`DROP TABLE campaign_counters`);
    await q.query(`DROP TABLE campaigns`);
  }
}
