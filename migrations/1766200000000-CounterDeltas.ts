import type { MigrationInterface, QueryRunner } from 'typeorm';
import { COLS, COUNTERS, replaceAggregateFunctions } from './1766000000000-TemplateTtlExpired';

/**
 * Campaign counts without a hot row (issues 13 and 14). The statement-level triggers updated the
 * campaign's one counters row, so every claim, send outcome and status webhook of a campaign
 * waited for the one before it to commit (measured: most of Postgres' lock waits with five
 * campaigns sending). Now:
 * - each statement appends its per-campaign counts to `campaign_counter_deltas` (no update, no
 *   lock anyone else waits for);
 * - `campaign_counts` (a view) is what readers read: the counters row plus the deltas not yet
 *   folded, exact in any one statement's snapshot;
 * - `fold_campaign_counter_deltas(n)` moves the oldest deltas into the counters rows, one folder at
 *   a time (the worker calls it every second). Deltas are folded in id order, and a delta that
 *   undoes a change always has a higher id than the change's (it was written after that change
 *   committed), so a counter never goes below zero on the way.
 */
export class CounterDeltas1766200000000 implements MigrationInterface {
  name = 'CounterDeltas1766200000000';

  async up(q: QueryRunner): Promise<void> {
    const names = COUNTERS.map(([c]) => c);
    await q.query(`
      CREATE TABLE campaign_counter_deltas (
        id bigserial PRIMARY KEY,
        -- No foreign key: a check per appended row, and a deleted campaign's deltas are only
        -- ever read through its counters row (gone with it); the fold drops them.
        campaign_id uuid NOT NULL,
        ${names.map((c) => `${c} bigint NOT NULL DEFAULT 0`).join(',\n        ')},
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX campaign_counter_deltas_campaign_idx ON campaign_counter_deltas (campaign_id)`,
    );
    await q.query(`
      CREATE VIEW campaign_counts AS
      SELECT k.campaign_id,
             ${names.map((c) => `k.${c} + coalesce(d.${c}, 0) AS ${c}`).join(',\n             ')},
             greatest(k.updated_at, d.updated_at) AS updated_at
        FROM campaign_counters k
        LEFT JOIN LATERAL (
          SELECT ${names.map((c) => `sum(x.${c})::bigint AS ${c}`).join(', ')},
                 max(x.created_at) AS updated_at
            FROM campaign_counter_deltas x WHERE x.campaign_id = k.campaign_id
        ) d ON true`);
    await q.query(`
      CREATE FUNCTION fold_campaign_counter_deltas(max_rows integer) RETURNS integer
      LANGUAGE plpgsql AS $fn$
      DECLARE
        folded integer;
      BEGIN
        -- One folder at a time: two would wait for each other's deleted rows.
        IF NOT pg_try_advisory_xact_lock(hashtext('fold_campaign_counter_deltas')) THEN
          RETURN 0;
        END IF;
        WITH moved AS (
          DELETE FROM campaign_counter_deltas
           WHERE id IN (SELECT id FROM campaign_counter_deltas ORDER BY id LIMIT max_rows)
          RETURNING *
        ), sums AS (
          SELECT campaign_id, count(*) AS n, max(created_at) AS at,
                 ${names.map((c) => `sum(${c})::bigint AS ${c}`).join(', ')}
            FROM moved GROUP BY campaign_id
        ), applied AS (
          UPDATE campaign_counters k SET
            ${names.map((c) => `${c} = k.${c} + s.${c}`).join(', ')},
            updated_at = greatest(k.updated_at, s.at)
            FROM sums s WHERE k.campaign_id = s.campaign_id
          RETURNING 1
        )
        SELECT coalesce(sum(n), 0) INTO folded FROM sums;
        RETURN folded;
      END
      $fn$`);
    await replaceAggregateFunctions(q, COUNTERS, `${COLS}, pricing_category`, 'by-day', 'deltas');
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceAggregateFunctions(q, COUNTERS, `${COLS}, pricing_category`, 'by-day', 'row');
    // Everything still unfolded goes into the rows before the deltas go.
    await q.query(`SELECT fold_campaign_counter_deltas(2147483647)`);
    await q.query(`DROP FUNCTION fold_campaign_counter_deltas(integer)`);
    await q.query(`DROP VIEW campaign_counts`);
    await q.query(`DROP TABLE campaign_counter_deltas`);
  }
}
