import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook ingestion: the append-only journal of verified POSTs from Meta (`webhook_events`), the
 * forward-only status of every outbound message (`message_statuses`), inbound messages kept once
 * each (`inbound_messages`, the proof for opt-outs) and the keys that make other webhook items
 * (template updates, user preferences) reach their consumer exactly once (`webhook_item_keys`).
 */
export class CreateWebhookEvents1764300000000 implements MigrationInterface {
  name = 'CreateWebhookEvents1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // Only verified payloads are stored (a bad signature is answered 401 and kept nowhere), so
    // there is no "signature ok" column: every row passed the check.
    await q.query(`
      CREATE TABLE webhook_events (
        id bigserial PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now(),
        body bytea NOT NULL,
        request_id text,
        processed_at timestamptz,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        retry_at timestamptz,
        malformed boolean NOT NULL DEFAULT false,
        unknown boolean NOT NULL DEFAULT false,
        item_count integer CHECK (item_count >= 0),
        error text
      )`);
    // The worker's claim scans only what is left to do.
    await q.query(
      `CREATE INDEX webhook_events_pending_idx ON webhook_events (id) WHERE processed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX webhook_events_flagged_idx ON webhook_events (id) WHERE malformed OR unknown`,
    );
    // One notification per INSERT statement (the API writes group commits), delivered on commit:
    // idle workers wake at once instead of polling.
    await q.query(`
      CREATE FUNCTION notify_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('webhook_events', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
      FOR EACH STATEMENT EXECUTE FUNCTION notify_webhook_events()`);

    await q.query(`
      CREATE TABLE message_statuses (
        wamid text PRIMARY KEY CHECK (length(wamid) BETWEEN 1 AND 512),
        status text NOT NULL,
        status_rank smallint NOT NULL,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        error_code integer,
        error_title text,
        error_message text,
        error_details text,
        pricing_category text,
        pricing_type text,
        pricing_model text,
        pricing_billable boolean,
        pricing_rank smallint NOT NULL DEFAULT 0,
        recipient_id text,
        recipient_user_id text,
        callback_data text,
        phone_number_id text,
        waba_id text,
        last_event_id bigint NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT message_statuses_rank_ck CHECK (status_rank = CASE status
          WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3
          WHEN 'played' THEN 4 WHEN 'failed' THEN 5 END),
        CONSTRAINT message_statuses_failed_ck CHECK (status <> 'failed' OR failed_at IS NOT NULL)
      )`);
    // Reconciliation when the send answer was lost: by our callback data, or (number, recipient).
    await q.query(
      `CREATE INDEX message_statuses_callback_idx ON message_statuses (callback_data) WHERE callback_data IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX message_statuses_recipient_idx ON message_statuses (phone_number_id, recipient_id)`,
    );

    await q.query(`
      CREATE TABLE inbound_messages (
        wamid text PRIMARY KEY CHECK (length(wamid) BETWEEN 1 AND 512),
        phone_number_id text,
        waba_id text,
        from_wa_id text NOT NULL,
        from_user_id text,
        type text NOT NULL,
        sent_at timestamptz NOT NULL,
        context_wamid text,
        is_opt_out boolean NOT NULL,
        opt_out_reason text CHECK (opt_out_reason IN ('keyword', 'button')),
        is_button_click boolean NOT NULL,
        raw jsonb NOT NULL,
        webhook_event_id bigint NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT inbound_messages_opt_out_ck CHECK (is_opt_out = (opt_out_reason IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX inbound_messages_context_idx ON inbound_messages (context_wamid) WHERE context_wamid IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE webhook_item_keys (
        kind text NOT NULL CHECK (kind IN ('template', 'user_preference')),
        key text NOT NULL,
        webhook_event_id bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_item_keys`);
    await q.query(`DROP TABLE inbound_messages`);
    await q.query(`DROP TABLE message_statuses`);
    await q.query(`DROP TABLE webhook_events`);
    await q.query(`DROP FUNCTION notify_webhook_events()`);
  }
}
