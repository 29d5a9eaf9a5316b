import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-campaign aggregates the report reads instead of scanning campaign_messages: failures by
 * error code, an hourly series of deliveries/reads/clicks, and billable messages by phone prefix
 * (priced against rate_cards at read time). They are kept exact by statement-level triggers with
 * transition tables: every row contributes +1 to the keys of its new state and -1 to those of its
 * old state, so any writer (sender, webhooks, reconciliation, bulk SQL) keeps them right, and a
 * 500-row UPDATE costs three grouped scans of the transition tables, not 500 row triggers.
 * Keys are upserted in sorted order, after the campaign's counters row, so concurrent batches lock
 * rows in one order.
 */
export class CreateReportAggregates1764500000000 implements MigrationInterface {
  name = 'CreateReportAggregates1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_error_counts (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        error_code integer NOT NULL,
        error_title text,
        messages bigint NOT NULL,
        PRIMARY KEY (campaign_id, error_code)
      )`);
    await q.query(`
      CREATE TABLE campaign_hourly_stats (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        delivered bigint NOT NULL,
        read bigint NOT NULL,
        clicked bigint NOT NULL,
        PRIMARY KEY (campaign_id, hour)
      )`);
    await q.query(`
      CREATE TABLE campaign_billable_prefixes (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        phone_prefix text NOT NULL,
        messages bigint NOT NULL,
        PRIMARY KEY (campaign_id, phone_prefix)
      )`);
    // Exports and per-campaign listings walk a campaign's messages in id order (keyset batches).
    await q.query(
      `CREATE INDEX campaign_messages_campaign_id_idx ON campaign_messages (campaign_id, id)`,
    );
    await q.query(aggregateFunction('campaign_messages_report_insert', INSERT_SOURCE));
    await q.query(aggregateFunction('campaign_messages_report_update', UPDATE_SOURCE));
    await q.query(`
      CREATE TRIGGER campaign_messages_report_insert AFTER INSERT ON campaign_messages
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_report_insert()`);
    await q.query(`
      CREATE TRIGGER campaign_messages_report_update AFTER UPDATE ON campaign_messages
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_report_update()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER campaign_messages_report_update ON campaign_messages`);
    await q.query(`DROP TRIGGER campaign_messages_report_insert ON campaign_messages`);
    await q.query(`DROP FUNCTION campaign_messages_report_update()`);
    await q.query(`DROP FUNCTION campaign_messages_report_insert()`);
    await q.query(`DROP INDEX campaign_messages_campaign_id_idx`);
    await q.query(`DROP TABLE campaign_billable_prefixes`);
    await q.query(`DROP TABLE campaign_hourly_stats`);
    await q.query(`DROP TABLE campaign_error_counts`);
  }
}

const COLS =
  'campaign_id, status, error_code, error_title, phone, billable, delivered_at, read_at, clicked_at';
export const INSERT_SOURCE = `SELECT ${COLS}, 1 AS w FROM new_rows`;
export const UPDATE_SOURCE = `SELECT ${COLS}, 1 AS w FROM new_rows UNION ALL SELECT ${COLS}, -1 AS w FROM old_rows`;

/** Rows that count in some aggregate (the filters of the three upserts, or-ed). */
const CONTRIBUTES =
  "status IN ('failed', 'delivered', 'read') OR clicked_at IS NOT NULL OR billable";

/** The same three upserts for both triggers, over `source` (rows with their weight w = ±1). */
export function aggregateFunction(name: string, source: string): string {
  return `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- Fast path: claims, requeues, cancels and snapshots change nothing that is aggregated.
      IF NOT EXISTS (SELECT 1 FROM (${source}) d WHERE ${CONTRIBUTES}) THEN
        RETURN NULL;
      END IF;
      -- Lock order: the campaign's counters row first, then aggregate rows. A transaction that
      -- already bumped counters (a send batch applying statuses stored before its wamids) and one
      -- that applies webhooks then take locks in the same order, so they cannot deadlock.
      PERFORM 1 FROM campaign_counters k
        WHERE k.campaign_id IN (SELECT campaign_id FROM (${source}) d WHERE ${CONTRIBUTES})
        ORDER BY k.campaign_id FOR UPDATE OF k;

      INSERT INTO campaign_error_counts AS t (campaign_id, error_code, error_title, messages)
      SELECT campaign_id, coalesce(error_code, 0), max(error_title) FILTER (WHERE w > 0), sum(w)
        FROM (${source}) d
       WHERE status = 'failed'
       GROUP BY 1, 2 HAVING sum(w) <> 0 ORDER BY 1, 2
      ON CONFLICT (campaign_id, error_code) DO UPDATE
        SET messages = t.messages + EXCLUDED.messages,
            error_title = coalesce(EXCLUDED.error_title, t.error_title);

      INSERT INTO campaign_hourly_stats AS t (campaign_id, hour, delivered, read, clicked)
      SELECT campaign_id, hour, sum(dl), sum(rd), sum(cl) FROM (
        SELECT campaign_id, date_trunc('hour', coalesce(delivered_at, read_at), 'UTC') AS hour,
               w AS dl, 0 AS rd, 0 AS cl
          FROM (${source}) d
         WHERE status IN ('delivered', 'read') AND coalesce(delivered_at, read_at) IS NOT NULL
        UNION ALL
        SELECT campaign_id, date_trunc('hour', read_at, 'UTC'), 0, w, 0
          FROM (${source}) d WHERE status = 'read' AND read_at IS NOT NULL
        UNION ALL
        SELECT campaign_id, date_trunc('hour', clicked_at, 'UTC'), 0, 0, w
          FROM (${source}) d WHERE clicked_at IS NOT NULL
      ) x
       GROUP BY 1, 2 HAVING sum(dl) <> 0 OR sum(rd) <> 0 OR sum(cl) <> 0 ORDER BY 1, 2
      ON CONFLICT (campaign_id, hour) DO UPDATE
        SET delivered = t.delivered + EXCLUDED.delivered,
            read = t.read + EXCLUDED.read,
            clicked = t.clicked + EXCLUDED.clicked;

      -- Up to four digits after '+': enough to find the longest matching rate_cards calling code.
      INSERT INTO campaign_billable_prefixes AS t (campaign_id, phone_prefix, messages)
      SELECT campaign_id, substr(phone, 2, 4), sum(w)
        FROM (${source}) d
       WHERE billable
       GROUP BY 1, 2 HAVING sum(w) <> 0 ORDER BY 1, 2
      ON CONFLICT (campaign_id, phone_prefix) DO UPDATE SET messages = t.messages + EXCLUDED.messages;

      RETURN NULL;
    END
    $fn$`;
}
