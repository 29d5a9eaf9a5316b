import { Database, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import type { BenchmarkSnapshot, InsightTarget, TemplateDayMetrics } from './conversions.types';

/** Template analytics lookback at Meta (MMLITE §7.1): older days are not served. */
const LOOKBACK_DAYS = 89;

/** The fetch schedule of Meta's template metrics and what was fetched. */
@Injectable()
export class TemplateInsightsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Puts every MM-eligible template with a campaign started in the lookback on the schedule, then
   * claims up to `limit` due ones by pushing their next fetch `refreshMs` ahead — atomically
   * (SKIP LOCKED), so with many workers each template is fetched by one of them per period.
   */
  async claimDue(limit: number, refreshMs: number): Promise<InsightTarget[]> {
    await this.db.query(
      `INSERT INTO template_insight_fetches (template_id)
       SELECT DISTINCT c.template_id FROM campaigns c JOIN templates t ON t.id = c.template_id
        WHERE c.started_at > now() - make_interval(days => $1) AND t.meta_template_id IS NOT NULL
          AND t.category = 'MARKETING'
       ON CONFLICT DO NOTHING`,
      [LOOKBACK_DAYS],
    );
    const rows = await queryRows<{
      template_id: string;
      workspace_id: string;
      business_account_id: string;
      waba_id: string;
      meta_template_id: string;
      first_started_at: Date;
    }>(
      this.db,
      `WITH due AS (
         SELECT template_id FROM template_insight_fetches WHERE next_fetch_at <= now()
          ORDER BY next_fetch_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE template_insight_fetches f
            SET next_fetch_at = now() + make_interval(secs => $2::double precision / 1000)
           FROM due WHERE f.template_id = due.template_id RETURNING f.template_id
       )
       SELECT t.id AS template_id, t.workspace_id, t.business_account_id, b.waba_id, t.meta_template_id,
              (SELECT min(c.started_at) FROM campaigns c WHERE c.template_id = t.id) AS first_started_at
         FROM claimed JOIN templates t ON t.id = claimed.template_id
         JOIN business_accounts b ON b.id = t.business_account_id
        WHERE t.meta_template_id IS NOT NULL`,
      [limit, refreshMs],
    );
    return rows
      .filter((r) => r.first_started_at !== null)
      .map((r) => ({
        templateId: r.template_id,
        workspaceId: r.workspace_id,
        businessAccountId: r.business_account_id,
        wabaId: r.waba_id,
        metaTemplateId: r.meta_template_id,
        firstStartedAt: r.first_started_at,
      }));
  }

  async recordOutcome(templateId: string, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE template_insight_fetches
          SET last_fetched_at = CASE WHEN $2::text IS NULL THEN now() ELSE last_fetched_at END,
              last_error = $2
        WHERE template_id = $1`,
      [templateId, error],
    );
  }

  /** One row per benchmark date: a refetch the same day replaces it, older dates stay as history. */
  async saveBenchmark(b: BenchmarkSnapshot): Promise<void> {
    await this.db.query(
      `INSERT INTO template_benchmarks (template_id, as_of, period_start, read_rate, click_rate, ad_id, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (template_id, as_of) DO UPDATE SET period_start = EXCLUDED.period_start,
         read_rate = EXCLUDED.read_rate, click_rate = EXCLUDED.click_rate, ad_id = EXCLUDED.ad_id,
         raw = EXCLUDED.raw, fetched_at = now()`,
      [b.templateId, b.asOf, b.periodStart, b.readRate, b.clickRate, b.adId, JSON.stringify(b.raw)],
    );
  }

  async saveDays(days: TemplateDayMetrics[]): Promise<void> {
    if (days.length === 0) {
      return;
    }
    await this.db.query(
      `INSERT INTO template_mm_daily (template_id, day, sent, delivered, read, clicked, cost, conversions)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                            $7::numeric[], $8::jsonb[])
       ON CONFLICT (template_id, day) DO UPDATE SET sent = EXCLUDED.sent, delivered = EXCLUDED.delivered,
         read = EXCLUDED.read, clicked = EXCLUDED.clicked, cost = EXCLUDED.cost,
         conversions = EXCLUDED.conversions, fetched_at = now()`,
      [
        days.map((d) => d.templateId),
        days.map((d) => d.day),
        days.map((d) => d.sent),
        days.map((d) => d.delivered),
        days.map((d) => d.read),
        days.map((d) => d.clicked),
        days.map((d) => d.cost),
        days.map((d) => JSON.stringify(d.conversions)),
      ],
    );
  }
}
