import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message TTL (MMLITE §1.6, MMLITE-2026 row 5):
 * - `templates.message_send_ttl_seconds` is checked: 43200–2592000 s for MARKETING; 30–43200 s (or
 *   Meta's -1, "30 days") for the other categories. Values outside are cleared first (they could
 *   never have been sent to Meta as they are);
 * - campaign messages remember when Meta drops them (`expires_at` = accepted + the template's TTL,
 *   frozen when the request left, so a later template edit changes nothing), and may be `expired`:
 *   accepted, never delivered or read by then (Meta sends no failure webhook for a dropped one);
 * - counter `expired`, derived by the statement-level triggers like every other count. An expired
 *   message was accepted, so it stays in `sent` (and in `recovered` when it was a retry);
 * - a partial index for the expiry tick (accepted, not delivered, with a deadline).
 */
export class TemplateTtlExpired1766000000000 implements MigrationInterface {
  name = 'TemplateTtlExpired1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE templates SET message_send_ttl_seconds = NULL
       WHERE message_send_ttl_seconds IS NOT NULL AND NOT (${TTL_IN_RANGE})`);
    await q.query(`
      ALTER TABLE templates ADD CONSTRAINT templates_message_send_ttl_ck
        CHECK (message_send_ttl_seconds IS NULL OR (${TTL_IN_RANGE}))`);

    await q.query(`ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_status_check`);
    await q.query(`
      ALTER TABLE campaign_messages
        ADD COLUMN expires_at timestamptz,
        ADD CONSTRAINT campaign_messages_status_check CHECK (status IN (${STATUSES_WITH_EXPIRED})),
        ADD CONSTRAINT campaign_messages_expired_ck CHECK (status <> 'expired' OR expires_at IS NOT NULL)`);
    await q.query(`
      ALTER TABLE campaign_counters
        ADD COLUMN expired bigint NOT NULL DEFAULT 0 CONSTRAINT campaign_counters_expired_ck CHECK (expired >= 0)`);
    await replaceAggregateFunctions(q, COUNTERS, COLS, 'by-prefix');
    await q.query(`
      CREATE INDEX campaign_messages_expiry_idx ON campaign_messages (expires_at)
        WHERE status = 'sent' AND expires_at IS NOT NULL`);
    // Follow-ups (and segment leaves) may target the expired.
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_follow_up_outcome_check,
        ADD CONSTRAINT campaigns_follow_up_outcome_check
          CHECK (follow_up_outcome IN (${[...OUTCOMES, 'expired'].map((o) => `'${o}'`).join(', ')}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // A follow-up of the expired becomes one of the not delivered (which held them).
    await q.query(
      `UPDATE campaigns SET follow_up_outcome = 'not_delivered' WHERE follow_up_outcome = 'expired'`,
    );
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_follow_up_outcome_check,
        ADD CONSTRAINT campaigns_follow_up_outcome_check
          CHECK (follow_up_outcome IN (${OUTCOMES.map((o) => `'${o}'`).join(', ')}))`);
    await q.query(`DROP INDEX campaign_messages_expiry_idx`);
    // Expired is our inference on top of Meta's `sent`: back to what Meta said.
    await q.query(`UPDATE campaign_messages SET status = 'sent' WHERE status = 'expired'`);
    await replaceAggregateFunctions(q, PREVIOUS_COUNTERS, COLS, 'by-prefix');
    await q.query(`ALTER TABLE campaign_counters DROP COLUMN expired`);
    await q.query(`
      ALTER TABLE campaign_messages
        DROP CONSTRAINT campaign_messages_expired_ck,
        DROP CONSTRAINT campaign_messages_status_check,
        DROP COLUMN expires_at`);
    await q.query(`
      ALTER TABLE campaign_messages ADD CONSTRAINT campaign_messages_status_check
        CHECK (status IN (${PREVIOUS_STATUSES}))`);
    await q.query(`ALTER TABLE templates DROP CONSTRAINT templates_message_send_ttl_ck`);
  }
}

const TTL_IN_RANGE = `CASE WHEN category = 'MARKETING'
  THEN message_send_ttl_seconds BETWEEN 43200 AND 2592000
  ELSE message_send_ttl_seconds = -1 OR message_send_ttl_seconds BETWEEN 30 AND 43200 END`;

/** Follow-up outcomes as of Targeting1764950000000. */
const OUTCOMES = [
  'targeted',
  'sent',
  'delivered',
  'read',
  'clicked',
  'converted',
  'failed',
  'not_delivered',
  'delivered_not_read',
  'read_not_clicked',
  'clicked_not_converted',
];

const PREVIOUS_STATUSES = `'pending','sending','in_doubt','sent','delivered','read','failed','skipped','cancelled'`;
const STATUSES_WITH_EXPIRED = `${PREVIOUS_STATUSES},'expired'`;

export type Counter = readonly [string, string];

/** Each counter and the row state it counts (as of Targeting1764950000000). */
const PREVIOUS_COUNTERS: readonly Counter[] = [
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
  ['retried', `retries > 0`],
  ['recovered', `retries > 0 AND status IN ('sent', 'delivered', 'read')`],
  ['holdout', `status = 'skipped' AND skip_reason = 'holdout'`],
];

/** Expired messages were accepted: they stay in `sent` and `recovered`, and count in `expired`. */
export const COUNTERS: readonly Counter[] = [
  ...PREVIOUS_COUNTERS.map(([c, f]): Counter => {
    if (c === 'sent') {
      return [
        c,
        `status IN ('sent', 'delivered', 'read', 'expired') OR (status = 'failed' AND wamid IS NOT NULL)`,
      ];
    }
    if (c === 'recovered') {
      return [c, `retries > 0 AND status IN ('sent', 'delivered', 'read', 'expired')`];
    }
    return [c, f];
  }),
  ['expired', `status = 'expired'`],
];

export const COLS =
  'campaign_id, status, wamid, error_code, error_title, phone, billable, delivered_at, read_at, clicked_at, retries, skip_reason';

/**
 * How billable messages are aggregated for spend: `by-prefix` (per phone prefix, every billable
 * message, as before dated rate cards) or `by-day` (delivered billable messages per phone prefix,
 * pricing category and UTC delivery day, priced at the rate card in force that day).
 */
export type BillableAggregate = 'by-prefix' | 'by-day';

/**
 * How the counters are kept: `row` (each statement updates the campaign's counters row, as before
 * CounterDeltas) or `deltas` (each statement appends a delta row; the counts are row + deltas).
 */
export type CounterWrite = 'row' | 'deltas';

export async function replaceAggregateFunctions(
  q: QueryRunner,
  counters: readonly Counter[],
  cols: string,
  billable: BillableAggregate,
  write: CounterWrite = 'row',
): Promise<void> {
  const sources: Record<string, string> = {
    insert: `SELECT ${cols}, 1 AS w FROM new_rows`,
    update: `SELECT ${cols}, 1 AS w FROM new_rows UNION ALL SELECT ${cols}, -1 AS w FROM old_rows`,
    // Messages go with their campaign (campaigns_cascade_messages): its counters and aggregates
    // are gone already, so only rows of campaigns that still exist count.
    delete: `SELECT ${cols}, -1 AS w FROM old_rows o WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = o.campaign_id)`,
  };
  for (const [event, source] of Object.entries(sources)) {
    await q.query(
      aggregateFunction(`campaign_messages_aggregates_${event}`, source, counters, billable, write),
    );
  }
}

/** Rows that count in some report aggregate (the filters of the three upserts, or-ed). */
const CONTRIBUTES =
  "status IN ('failed', 'delivered', 'read') OR clicked_at IS NOT NULL OR billable";

function billableUpsert(source: string, billable: BillableAggregate): string {
  if (billable === 'by-prefix') {
    return `
      -- Up to four digits after '+': enough to find the longest matching rate_cards calling code.
      INSERT INTO campaign_billable_prefixes AS t (campaign_id, phone_prefix, messages)
      SELECT campaign_id, substr(phone, 2, 4), sum(w)
        FROM (${source}) d
       WHERE billable
       GROUP BY 1, 2 HAVING sum(w) <> 0 ORDER BY 1, 2
      ON CONFLICT (campaign_id, phone_prefix) DO UPDATE SET messages = t.messages + EXCLUDED.messages;`;
  }
  return `
      -- Meta charges on delivery: delivered billable messages per prefix (up to four digits after
      -- '+'), pricing category and UTC delivery day, priced at the rate card in force that day.
      INSERT INTO campaign_billable_prefixes AS t (campaign_id, phone_prefix, pricing_category, day, messages)
      SELECT campaign_id, substr(phone, 2, 4), coalesce(pricing_category, ''),
             (coalesce(delivered_at, read_at) AT TIME ZONE 'UTC')::date, sum(w)
        FROM (${source}) d
       WHERE billable AND coalesce(delivered_at, read_at) IS NOT NULL
       GROUP BY 1, 2, 3, 4 HAVING sum(w) <> 0 ORDER BY 1, 2, 3, 4
      ON CONFLICT (campaign_id, phone_prefix, pricing_category, day)
        DO UPDATE SET messages = t.messages + EXCLUDED.messages;`;
}

/** Counters, then the three report aggregates, over `source` (rows with their weight w = ±1). */
function aggregateFunction(
  name: string,
  source: string,
  counters: readonly Counter[],
  billable: BillableAggregate,
  write: CounterWrite,
): string {
  const sums = counters
    .map(([c, f]) => `coalesce(sum(w) FILTER (WHERE ${f}), 0) AS ${c}`)
    .join(',\n             ');
  const changed = counters.map(([c]) => `d.${c} <> 0`).join(' OR ');
  const names = counters.map(([c]) => c).join(', ');
  const keep =
    write === 'row'
      ? `
      -- The campaigns' counters rows first, in id order (see DeliveryCore1764800000000).
      PERFORM 1 FROM campaign_counters k
        WHERE k.campaign_id IN (SELECT DISTINCT campaign_id FROM (${source}) d)
        ORDER BY k.campaign_id FOR UPDATE OF k;

      UPDATE campaign_counters k SET
        ${counters.map(([c]) => `${c} = k.${c} + d.${c}`).join(', ')}, updated_at = now()
        FROM (SELECT campaign_id, ${sums}
                FROM (${source}) s GROUP BY campaign_id) d
       WHERE k.campaign_id = d.campaign_id
         AND (${changed});`
      : `
      -- Appended, never updated: no row every writer of a campaign must wait for (CounterDeltas).
      INSERT INTO campaign_counter_deltas (campaign_id, ${names})
      SELECT campaign_id, ${names}
        FROM (SELECT campaign_id, ${sums}
                FROM (${source}) s GROUP BY campaign_id) d
       WHERE ${changed};`;
  return `
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN${keep}

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
${billableUpsert(source, billable)}

      RETURN NULL;
    END
    $fn$`;
}
