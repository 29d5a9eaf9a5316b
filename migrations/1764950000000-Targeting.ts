import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Targeting and iteration (segments, exclusions, follow-ups, retries, frequency caps, holdouts):
 * - `segments`: a named filter tree over contacts (validated and compiled by libs/segments);
 * - a campaign targets exactly one of an audience, a segment or a parent campaign's recipients
 *   with an outcome (a follow-up), minus `exclude`; the filter it resolved to and the moment it
 *   was resolved are frozen when its snapshot starts, so its target never shifts while it sends;
 * - `holdout_percent`: a reproducible share of the target kept out as a control group;
 * - campaign messages keep the contact values their template binds (`bound_values`), frozen at
 *   the snapshot, so a retry sends exactly what the first request did; `retries` counts manual
 *   retries (131049 is retried once);
 * - counters `retried`, `recovered` (retried and now accepted) and `holdout`, derived by the
 *   statement-level triggers like every other count;
 * - `frequency_caps`: at most `max_messages` per contact in any `per_days` days, per workspace.
 */
export class Targeting1764950000000 implements MigrationInterface {
  name = 'Targeting1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE segments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        filter jsonb NOT NULL CHECK (jsonb_typeof(filter) = 'object'),
        deleted_at timestamptz,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX segments_workspace_idx ON segments (workspace_id, created_at, id) WHERE deleted_at IS NULL`,
    );

    await q.query(`ALTER TABLE campaigns ALTER COLUMN audience_id DROP NOT NULL`);
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN segment_id uuid REFERENCES segments(id),
        ADD COLUMN parent_campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
        ADD COLUMN follow_up_outcome text CHECK (follow_up_outcome IN (${OUTCOMES.map((o) => `'${o}'`).join(', ')})),
        ADD COLUMN exclude jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(exclude) = 'array'),
        ADD COLUMN holdout_percent smallint NOT NULL DEFAULT 0 CHECK (holdout_percent BETWEEN 0 AND 50),
        ADD COLUMN target_filter jsonb CHECK (jsonb_typeof(target_filter) = 'object'),
        ADD COLUMN target_reference_at timestamptz,
        ADD CONSTRAINT campaigns_one_target_ck
          CHECK (num_nonnulls(audience_id, segment_id, parent_campaign_id) = 1),
        ADD CONSTRAINT campaigns_follow_up_ck
          CHECK ((parent_campaign_id IS NULL) = (follow_up_outcome IS NULL)),
        ADD CONSTRAINT campaigns_target_frozen_ck
          CHECK ((target_filter IS NULL) = (target_reference_at IS NULL))`);
    // Campaigns snapshotted before this release targeted their audience.
    await q.query(`
      UPDATE campaigns SET target_filter = jsonb_build_object('audience', audience_id),
                           target_reference_at = coalesce(started_at, targeted_at)
       WHERE targeted_at IS NOT NULL`);
    await q.query(`
      ALTER TABLE campaigns ADD CONSTRAINT campaigns_targeted_frozen_ck
        CHECK (targeted_at IS NULL OR target_filter IS NOT NULL)`);
    await q.query(
      `CREATE INDEX campaigns_segment_idx ON campaigns (segment_id) WHERE segment_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX campaigns_parent_idx ON campaigns (parent_campaign_id) WHERE parent_campaign_id IS NOT NULL`,
    );

    await q.query(`
      ALTER TABLE campaign_messages
        ADD COLUMN bound_values jsonb CHECK (jsonb_typeof(bound_values) = 'object'),
        ADD COLUMN retries smallint NOT NULL DEFAULT 0 CHECK (retries >= 0),
        ADD COLUMN retried_at timestamptz,
        ADD CONSTRAINT campaign_messages_retried_ck CHECK ((retries = 0) = (retried_at IS NULL))`);

    await q.query(`
      ALTER TABLE campaign_counters
        ADD COLUMN retried bigint NOT NULL DEFAULT 0 CHECK (retried >= 0),
        ADD COLUMN recovered bigint NOT NULL DEFAULT 0 CHECK (recovered >= 0),
        ADD COLUMN holdout bigint NOT NULL DEFAULT 0 CHECK (holdout >= 0)`);
    await replaceAggregateFunctions(q, COUNTERS, COLS);
    // Holdout skips did not exist before; retried/recovered start at zero with `retries`.

    await q.query(`
      CREATE TABLE frequency_caps (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        max_messages integer NOT NULL CHECK (max_messages BETWEEN 1 AND 1000),
        per_days integer NOT NULL CHECK (per_days BETWEEN 1 AND 365),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // A date filter on a contact attribute compares only values that are dates; anything else is
    // no match (never an error that fails the whole count or snapshot).
    await q.query(`
      CREATE FUNCTION mmlite_try_timestamptz(v text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      BEGIN
        IF v IS NULL OR v !~ '^\\d{4}-\\d{2}-\\d{2}' THEN
          RETURN NULL;
        END IF;
        RETURN v::timestamptz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION mmlite_try_timestamptz(text)`);
    await q.query(`DROP TABLE frequency_caps`);
    await replaceAggregateFunctions(q, PREVIOUS_COUNTERS, PREVIOUS_COLS);
    await q.query(
      `ALTER TABLE campaign_counters DROP COLUMN retried, DROP COLUMN recovered, DROP COLUMN holdout`,
    );
    await q.query(`
      ALTER TABLE campaign_messages DROP CONSTRAINT campaign_messages_retried_ck,
        DROP COLUMN bound_values, DROP COLUMN retries, DROP COLUMN retried_at`);
    await q.query(`DROP INDEX campaigns_parent_idx`);
    await q.query(`DROP INDEX campaigns_segment_idx`);
    await q.query(`DELETE FROM campaigns WHERE audience_id IS NULL`);
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_targeted_frozen_ck,
        DROP CONSTRAINT campaigns_target_frozen_ck, DROP CONSTRAINT campaigns_follow_up_ck,
        DROP CONSTRAINT campaigns_one_target_ck,
        DROP COLUMN segment_id, DROP COLUMN parent_campaign_id, DROP COLUMN follow_up_outcome,
        DROP COLUMN exclude, DROP COLUMN holdout_percent, DROP COLUMN target_filter,
        DROP COLUMN target_reference_at`);
    await q.query(`ALTER TABLE campaigns ALTER COLUMN audience_id SET NOT NULL`);
    await q.query(`DROP TABLE segments`);
  }
}

/** Campaign outcomes a follow-up may target (as the segment leaf `{ campaign, outcome }`). */
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

type Counter = readonly [string, string];

/** Each counter and the row state it counts (as of DeliveryCore1764800000000). */
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
];
const PREVIOUS_COLS =
  'campaign_id, status, wamid, error_code, error_title, phone, billable, delivered_at, read_at, clicked_at';

/** Recovered: retried, and Meta accepted the retry without failing it since. */
const COUNTERS: readonly Counter[] = [
  ...PREVIOUS_COUNTERS,
  ['retried', `retries > 0`],
  ['recovered', `retries > 0 AND status IN ('sent', 'delivered', 'read')`],
  ['holdout', `status = 'skipped' AND skip_reason = 'holdout'`],
];
const COLS = `${PREVIOUS_COLS}, retries, skip_reason`;

async function replaceAggregateFunctions(
  q: QueryRunner,
  counters: readonly Counter[],
  cols: string,
): Promise<void> {
  const sources: Record<string, string> = {
    insert: `SELECT ${cols}, 1 AS w FROM new_rows`,
    update: `SELECT ${cols}, 1 AS w FROM new_rows UNION ALL SELECT ${cols}, -1 AS w FROM old_rows`,
    // Messages go with their campaign (campaigns_cascade_messages): its counters and aggregates
    // are gone already, so only rows of campaigns that still exist count.
    delete: `SELECT ${cols}, -1 AS w FROM old_rows o WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = o.campaign_id)`,
  };
  for (const [event, source] of Object.entries(sources)) {
    await q.query(aggregateFunction(`campaign_messages_aggregates_${event}`, source, counters));
  }
}

/** Rows that count in some report aggregate (the filters of the three upserts, or-ed). */
const CONTRIBUTES =
  "status IN ('failed', 'delivered', 'read') OR clicked_at IS NOT NULL OR billable";

/** Counters, then the three report aggregates, over `source` (rows with their weight w = ±1). */
function aggregateFunction(name: string, source: string, counters: readonly Counter[]): string {
  const sums = counters
    .map(([c, f]) => `coalesce(sum(w) FILTER (WHERE ${f}), 0) AS ${c}`)
    .join(',\n             ');
  return `
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- The campaigns' counters rows first, in id order (see DeliveryCore1764800000000).
      PERFORM 1 FROM campaign_counters k
        WHERE k.campaign_id IN (SELECT DISTINCT campaign_id FROM (${source}) d)
        ORDER BY k.campaign_id FOR UPDATE OF k;

      UPDATE campaign_counters k SET
        ${counters.map(([c]) => `${c} = k.${c} + d.${c}`).join(', ')}, updated_at = now()
        FROM (SELECT campaign_id, ${sums}
                FROM (${source}) s GROUP BY campaign_id) d
       WHERE k.campaign_id = d.campaign_id
         AND (${counters.map(([c]) => `d.${c} <> 0`).join(' OR ')});

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
