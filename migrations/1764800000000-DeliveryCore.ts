import type { MigrationInterface, QueryRunner } from 'typeorm';
import * as previous from './1764500000000-CreateReportAggregates';

/**
 * One delivery-status core (issues 13 and 14):
 * - campaign messages may be `in_doubt` (the request left, Meta's answer was lost) and remember
 *   when their last request left (`last_request_at`); `attempts` now counts requests sent;
 * - every campaign count is derived from rows' state by the statement-level triggers that already
 *   kept the report aggregates: writers only set state, nobody bumps counters by hand. Each
 *   statement adds, per campaign, the counts of its new rows and subtracts those of its old rows
 *   (transition tables), so a 500-row update costs a grouped scan, not 500 row triggers;
 * - the counters are recounted once from the rows, so they start exact.
 * Lock order, everywhere: per-wamid advisory locks, then the campaigns' counters rows (sorted),
 * then message rows. Writers that touch several statements take the counters rows first
 * (CampaignsRepository.lockCounters); the trigger takes them again, which then costs nothing.
 */
export class DeliveryCore1764800000000 implements MigrationInterface {
  name = 'DeliveryCore1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_status_check`);
    await q.query(`
      ALTER TABLE campaign_messages ADD CONSTRAINT campaign_messages_status_check
        CHECK (status IN ('pending','sending','in_doubt','sent','delivered','read','failed','skipped','cancelled'))`);
    await q.query(`ALTER TABLE campaign_messages ADD COLUMN last_request_at timestamptz`);
    await q.query(`
      ALTER TABLE campaign_messages ADD CONSTRAINT campaign_messages_in_doubt_ck
        CHECK (status <> 'in_doubt' OR last_request_at IS NOT NULL)`);
    await q.query(`
      ALTER TABLE campaign_counters ADD COLUMN in_doubt bigint NOT NULL DEFAULT 0
        CONSTRAINT campaign_counters_in_doubt_ck CHECK (in_doubt >= 0)`);

    await q.query(`DROP TRIGGER campaign_messages_report_update ON campaign_messages`);
    await q.query(`DROP TRIGGER campaign_messages_report_insert ON campaign_messages`);
    await q.query(`DROP FUNCTION campaign_messages_report_update()`);
    await q.query(`DROP FUNCTION campaign_messages_report_insert()`);
    for (const [event, source] of Object.entries(SOURCES)) {
      await q.query(aggregateFunction(`campaign_messages_aggregates_${event}`, source));
    }
    await q.query(`
      CREATE TRIGGER campaign_messages_aggregates_insert AFTER INSERT ON campaign_messages
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_aggregates_insert()`);
    await q.query(`
      CREATE TRIGGER campaign_messages_aggregates_update AFTER UPDATE ON campaign_messages
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_aggregates_update()`);
    await q.query(`
      CREATE TRIGGER campaign_messages_aggregates_delete AFTER DELETE ON campaign_messages
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_aggregates_delete()`);

    // Counts from the rows, once; from here on the trigger keeps them.
    await q.query(`
      UPDATE campaign_counters k SET ${COUNTERS.map(([c]) => `${c} = coalesce(r.${c}, 0)`).join(', ')}
        FROM campaigns c LEFT JOIN (
          SELECT campaign_id, ${COUNTERS.map(([c, f]) => `count(*) FILTER (WHERE ${f}) AS ${c}`).join(', ')}
            FROM campaign_messages GROUP BY campaign_id
        ) r ON r.campaign_id = c.id
       WHERE k.campaign_id = c.id`);
    // Reconciliation looks for claims of dead workers and requests in doubt across campaigns.
    await q.query(`
      CREATE INDEX campaign_messages_unsettled_idx ON campaign_messages (claimed_at)
        WHERE status IN ('sending', 'in_doubt') OR claimed_by IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX campaign_messages_unsettled_idx`);
    await q.query(`DROP TRIGGER campaign_messages_aggregates_delete ON campaign_messages`);
    await q.query(`DROP TRIGGER campaign_messages_aggregates_update ON campaign_messages`);
    await q.query(`DROP TRIGGER campaign_messages_aggregates_insert ON campaign_messages`);
    for (const event of Object.keys(SOURCES)) {
      await q.query(`DROP FUNCTION campaign_messages_aggregates_${event}()`);
    }
    await q.query(`UPDATE campaign_messages SET status = 'sending' WHERE status = 'in_doubt'`);
    await q.query(`ALTER TABLE campaign_counters DROP COLUMN in_doubt`);
    await q.query(`ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_in_doubt_ck`);
    await q.query(`ALTER TABLE campaign_messages DROP COLUMN last_request_at`);
    await q.query(`ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_status_check`);
    await q.query(`
      ALTER TABLE campaign_messages ADD CONSTRAINT campaign_messages_status_check
        CHECK (status IN ('pending','sending','sent','delivered','read','failed','skipped','cancelled'))`);
    // The report triggers as CreateReportAggregates made them (counters were kept by hand then).
    await q.query(
      previous.aggregateFunction('campaign_messages_report_insert', previous.INSERT_SOURCE),
    );
    await q.query(
      previous.aggregateFunction('campaign_messages_report_update', previous.UPDATE_SOURCE),
    );
    await q.query(`
      CREATE TRIGGER campaign_messages_report_insert AFTER INSERT ON campaign_messages
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_report_insert()`);
    await q.query(`
      CREATE TRIGGER campaign_messages_report_update AFTER UPDATE ON campaign_messages
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_report_update()`);
  }
}

/** Each counter and the row state it counts (accepted = Meta gave it a wamid). */
const COUNTERS: ReadonlyArray<[string, string]> = [
  ['targeted', 'true'],
  ['skipped', `status = 'skipped'`],
  ['queued', `status = 'pending'`],
  ['sending', `status IN ('sending', 'in_doubt')`],
  ['in_doubt', `status = 'in_doubt'`],
  ['sent', `status IN ('sent', 'delivered', 'read') OR (status = 'failed' AND wamid IS NOT NULL)`],
  ['delivered', `status IN ('delivered', 'read')`],
  ['read', `status = 'read'`],
  ['clicked', `clicked_at IS NOT NULL`],
  ['failed', `status = 'failed'`],
  ['billable', `billable IS TRUE`],
];

const COLS =
  'campaign_id, status, wamid, error_code, error_title, phone, billable, delivered_at, read_at, clicked_at';
const SOURCES: Record<string, string> = {
  insert: `SELECT ${COLS}, 1 AS w FROM new_rows`,
  update: `SELECT ${COLS}, 1 AS w FROM new_rows UNION ALL SELECT ${COLS}, -1 AS w FROM old_rows`,
  // Messages go with their campaign (campaigns_cascade_messages): its counters and aggregates
  // are gone already, so only rows of campaigns that still exist count.
  delete: `SELECT ${COLS}, -1 AS w FROM old_rows o WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = o.campaign_id)`,
};

/** Rows that count in some report aggregate (the filters of the three upserts, or-ed). */
const CONTRIBUTES =
  "status IN ('failed', 'delivered', 'read') OR clicked_at IS NOT NULL OR billable";

/** Counters, then the three report aggregates, over `source` (rows with their weight w = ±1). */
function aggregateFunction(name: string, source: string): string {
  const sums = COUNTERS.map(([c, f]) => `coalesce(sum(w) FILTER (WHERE ${f}), 0) AS ${c}`).join(
    ',\n             ',
  );
  return `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- The campaigns' counters rows first, in id order (see the migration's header).
      PERFORM 1 FROM campaign_counters k
        WHERE k.campaign_id IN (SELECT DISTINCT campaign_id FROM (${source}) d)
        ORDER BY k.campaign_id FOR UPDATE OF k;

      UPDATE campaign_counters k SET
        ${COUNTERS.map(([c]) => `${c} = k.${c} + d.${c}`).join(', ')}, updated_at = now()
        FROM (SELECT campaign_id, ${sums}
                FROM (${source}) s GROUP BY campaign_id) d
       WHERE k.campaign_id = d.campaign_id
         AND (${COUNTERS.map(([c]) => `d.${c} <> 0`).join(' OR ')});

      -- Claims, requeues, cancels and snapshots change nothing that the report aggregates count.
      IF NOT EXISTS (SELECT 1 FROM (${source}) d WHERE ${CONTRIBUTES}) THEN
        RETURN NULL;
      END IF;

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
