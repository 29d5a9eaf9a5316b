import { Database, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import type { WorkspaceId } from '@app/common';
import type { RateCardRow } from '@app/campaigns';
import type { DayActivity, FunnelCounts } from './domain/report-math';
import type { MetaTemplateClicks, NumberMetaClicks } from './reports.types';

export interface CampaignHead {
  id: string;
  name: string;
  status: string;
  templateId: string;
  templateName: string;
  templateLanguage: string;
  metaTemplateId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  failedAt: Date | null;
  counts: FunnelCounts;
  retried: number;
  recovered: number;
  holdoutPercent: number;
  holdout: number;
  workspaceId: string;
  abTest: { testPercent: number; metric: 'read' | 'click' | 'conversion' } | null;
  winner: {
    key: string;
    decidedAt: Date;
    by: 'rule' | 'hand';
    pValue: number | null;
    significant: boolean;
  } | null;
  variants: Array<{ key: string; templateId: string; weight: number }>;
  targetReferenceAt: Date | null;
}

export interface ConversionStat {
  key: string;
  eventName: string;
  currency: string | null;
  events: number;
  value: number;
}

export interface ExportRow {
  id: string;
  contact_id: string;
  phone: string;
  status: string;
  skip_reason: string | null;
  wamid: string | null;
  error_code: number | null;
  error_title: string | null;
  pricing_category: string | null;
  billable: boolean | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  clicked_at: Date | null;
  failed_at: Date | null;
  converted: boolean;
  variant: string | null;
}

interface HeadRow {
  id: string;
  name: string;
  status: string;
  template_id: string;
  template_name: string;
  template_language: string;
  meta_template_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  failed_at: Date | null;
  targeted: string | null;
  skipped: string | null;
  sent: string | null;
  delivered: string | null;
  read: string | null;
  clicked: string | null;
  failed: string | null;
  expired: string | null;
  converted: string | null;
  retried: string | null;
  recovered: string | null;
  holdout: string | null;
  holdout_percent: number;
  workspace_id: string;
  ab_test: CampaignHead['abTest'];
  winner_key: string | null;
  winner_decision: { by: 'rule' | 'hand'; pValue: number | null; significant: boolean } | null;
  winner_decided_at: Date | null;
  variants: CampaignHead['variants'] | null;
  target_reference_at: Date | null;
}

const n = (v: string | number | null | undefined): number => Number(v ?? 0);

/** A campaign with its template and live counters: the head of a report and of the overview. */
const HEAD_SELECT = `SELECT c.id, c.name, c.status, c.template_id, t.name AS template_name,
              t.language AS template_language, t.meta_template_id, c.started_at, c.completed_at,
              c.cancelled_at, c.failed_at, k.targeted, k.skipped, k.sent, k.delivered, k.read,
              k.clicked, k.failed, k.expired, ct.converted_messages AS converted, k.retried, k.recovered,
              k.holdout, c.holdout_percent, c.workspace_id, c.target_reference_at, c.ab_test,
              c.winner_key, c.winner_decision, c.winner_decided_at,
              (SELECT jsonb_agg(jsonb_build_object('key', v.key, 'templateId', v.template_id,
                                                   'weight', v.weight) ORDER BY v.position)
                 FROM campaign_variants v WHERE v.campaign_id = c.id) AS variants
         FROM campaigns c JOIN templates t ON t.id = c.template_id
         LEFT JOIN campaign_counts k ON k.campaign_id = c.id
         LEFT JOIN campaign_conversion_totals ct ON ct.campaign_id = c.id`;

function toHead(r: HeadRow): CampaignHead {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    templateId: r.template_id,
    templateName: r.template_name,
    templateLanguage: r.template_language,
    metaTemplateId: r.meta_template_id,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    cancelledAt: r.cancelled_at,
    failedAt: r.failed_at,
    counts: {
      targeted: n(r.targeted),
      skipped: n(r.skipped),
      sent: n(r.sent),
      delivered: n(r.delivered),
      read: n(r.read),
      clicked: n(r.clicked),
      failed: n(r.failed),
      converted: n(r.converted),
      expired: n(r.expired),
    },
    retried: n(r.retried),
    recovered: n(r.recovered),
    holdoutPercent: r.holdout_percent,
    abTest: r.ab_test,
    winner:
      r.winner_key && r.winner_decision && r.winner_decided_at
        ? {
            key: r.winner_key,
            decidedAt: r.winner_decided_at,
            by: r.winner_decision.by,
            pValue: r.winner_decision.pValue,
            significant: r.winner_decision.significant,
          }
        : null,
    variants: r.variants ?? [],
    holdout: n(r.holdout),
    workspaceId: r.workspace_id,
    targetReferenceAt: r.target_reference_at,
  };
}

/**
 * Read-only SQL for reports over every concept's tables. Everything here reads pre-aggregated rows
 * (counters, per-code, per-hour, per-prefix and conversion aggregates) — none scans a campaign's
 * messages, except the export, which walks them in keyset batches.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: Database) {}

  async campaign(ws: WorkspaceId, id: string): Promise<CampaignHead | null> {
    const rows = await queryRows<HeadRow>(
      this.db,
      `${HEAD_SELECT}
        WHERE c.workspace_id = $1 AND c.id = $2`,
      [ws, id],
    );
    const r = rows[0];
    return r ? toHead(r) : null;
  }

  /**
   * Distinct contacts of the campaign's sent group (accepted by Meta) and of its holdout that
   * converted (any event) in [from, to]: the conversions of the window first, then their
   * messages by the (campaign, contact) key — cheap however large the campaign.
   */
  async holdoutConversions(
    ws: string,
    campaignId: string,
    from: Date,
    to: Date,
  ): Promise<{ sent: number; holdout: number }> {
    const rows = await queryRows<{ grp: 'sent' | 'holdout'; n: string }>(
      this.db,
      `WITH converted AS (
         SELECT DISTINCT v.contact_id FROM conversions v
          WHERE v.workspace_id = $1 AND v.contact_id IS NOT NULL AND v.occurred_at BETWEEN $3 AND $4
       )
       SELECT CASE WHEN cm.skip_reason = 'holdout' THEN 'holdout' ELSE 'sent' END AS grp, count(*) AS n
         FROM converted x JOIN campaign_messages cm ON cm.campaign_id = $2 AND cm.contact_id = x.contact_id
        WHERE cm.skip_reason = 'holdout'
           OR cm.status IN ('sent', 'delivered', 'read') OR (cm.status = 'failed' AND cm.wamid IS NOT NULL)
        GROUP BY 1`,
      [ws, campaignId, from, to],
    );
    const of = (g: string): number => Number(rows.find((r) => r.grp === g)?.n ?? 0);
    return { sent: of('sent'), holdout: of('holdout') };
  }

  /**
   * A/B campaigns: each variant's test share, and the rest of the target (sent with the winner,
   * `variant` null), counted like the funnel (sent = accepted; the rest per delivered).
   */
  async variantFunnels(
    campaignId: string,
  ): Promise<Array<{ variant: string | null; counts: FunnelCounts }>> {
    const rows = await queryRows<Record<string, string> & { variant: string | null }>(
      this.db,
      `SELECT cm.variant, count(*) AS targeted,
              count(*) FILTER (WHERE cm.status = 'skipped') AS skipped,
              count(*) FILTER (WHERE cm.status IN ('sent', 'delivered', 'read', 'expired')
                                  OR (cm.status = 'failed' AND cm.wamid IS NOT NULL)) AS sent,
              count(*) FILTER (WHERE cm.status IN ('delivered', 'read')) AS delivered,
              count(*) FILTER (WHERE cm.status = 'read') AS read,
              count(*) FILTER (WHERE cm.clicked_at IS NOT NULL) AS clicked,
              count(*) FILTER (WHERE cm.status = 'failed') AS failed,
              count(*) FILTER (WHERE cm.status = 'expired') AS expired,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM campaign_converted_messages x
                                              WHERE x.campaign_message_id = cm.id)) AS converted
         FROM campaign_messages cm
        WHERE cm.campaign_id = $1 AND cm.status <> 'skipped'
        GROUP BY cm.variant`,
      [campaignId],
    );
    return rows.map((r) => ({
      variant: r.variant,
      counts: {
        targeted: n(r.targeted),
        skipped: n(r.skipped),
        sent: n(r.sent),
        delivered: n(r.delivered),
        read: n(r.read),
        clicked: n(r.clicked),
        failed: n(r.failed),
        converted: n(r.converted),
        expired: n(r.expired),
      },
    }));
  }

  /** The workspace's attribution window in days (7 unless set). */
  async attributionWindowDays(ws: string): Promise<number> {
    const rows = await queryRows<{ window_days: number }>(
      this.db,
      `SELECT window_days FROM attribution_settings WHERE workspace_id = $1`,
      [ws],
    );
    return rows[0]?.window_days ?? 7;
  }

  async failures(
    campaignId: string,
  ): Promise<Array<{ code: number; title: string | null; count: number }>> {
    const rows = await queryRows<{
      error_code: number;
      error_title: string | null;
      messages: string;
    }>(
      this.db,
      `SELECT error_code, error_title, messages FROM campaign_error_counts
        WHERE campaign_id = $1 AND messages > 0 ORDER BY messages DESC, error_code`,
      [campaignId],
    );
    return rows.map((r) => ({ code: r.error_code, title: r.error_title, count: n(r.messages) }));
  }

  /**
   * The route each sent message really took, from its status webhook's pricing (MMLITE §1.4):
   * `marketing_lite` went through the MM API, `marketing` fell back to Cloud API (product policy
   * CLOUD_API_FALLBACK on a WABA not onboarded), anything else (utility) was sent by Cloud API.
   * Plus the messages Meta held out for a marketing experiment (130472), which are not ours.
   */
  async routes(campaignId: string): Promise<{
    viaMmApi: number;
    fellBack: number;
    cloudApi: number;
    experimentHoldout: number;
  }> {
    const [r] = await queryRows<{ mm: string; fallback: string; cloud: string; holdout: string }>(
      this.db,
      `SELECT count(*) FILTER (WHERE s.pricing_category = 'marketing_lite') AS mm,
              count(*) FILTER (WHERE s.pricing_category = 'marketing') AS fallback,
              count(*) FILTER (WHERE s.pricing_category NOT IN ('marketing_lite', 'marketing')) AS cloud,
              (SELECT coalesce(sum(messages), 0) FROM campaign_error_counts
                WHERE campaign_id = $1 AND error_code = 130472) AS holdout
         FROM campaign_messages m JOIN message_statuses s ON s.wamid = m.wamid
        WHERE m.campaign_id = $1 AND m.wamid IS NOT NULL`,
      [campaignId],
    );
    return {
      viaMmApi: n(r?.mm ?? '0'),
      fellBack: n(r?.fallback ?? '0'),
      cloudApi: n(r?.cloud ?? '0'),
      experimentHoldout: n(r?.holdout ?? '0'),
    };
  }

  async hourly(
    campaignId: string,
  ): Promise<Array<{ hour: Date; delivered: number; read: number; clicked: number }>> {
    const rows = await queryRows<{ hour: Date; delivered: string; read: string; clicked: string }>(
      this.db,
      `SELECT hour, delivered, read, clicked FROM campaign_hourly_stats
        WHERE campaign_id = $1 AND (delivered <> 0 OR read <> 0 OR clicked <> 0) ORDER BY hour`,
      [campaignId],
    );
    return rows.map((r) => ({
      hour: r.hour,
      delivered: n(r.delivered),
      read: n(r.read),
      clicked: n(r.clicked),
    }));
  }

  /**
   * Delivered billable messages per phone prefix, pricing category and UTC delivery day, per group
   * key (a campaign or a template): what dated rate cards price.
   */
  async billablePrefixes(
    ws: WorkspaceId,
    campaignIds: string[],
    groupBy: 'campaign' | 'template',
  ): Promise<
    Array<{ key: string; prefix: string; pricingCategory: string; day: string; messages: number }>
  > {
    const rows = await queryRows<{
      key: string;
      phone_prefix: string;
      pricing_category: string;
      day: string;
      messages: string;
    }>(
      this.db,
      `SELECT ${groupBy === 'campaign' ? 'c.id' : 'c.template_id'} AS key, b.phone_prefix,
              b.pricing_category, to_char(b.day, 'YYYY-MM-DD') AS day, sum(b.messages) AS messages
         FROM campaign_billable_prefixes b JOIN campaigns c ON c.id = b.campaign_id
        WHERE c.workspace_id = $1 AND b.campaign_id = ANY($2::uuid[])
        GROUP BY 1, 2, 3, 4 HAVING sum(b.messages) <> 0`,
      [ws, campaignIds],
    );
    return rows.map((r) => ({
      key: r.key,
      prefix: r.phone_prefix,
      pricingCategory: r.pricing_category,
      day: r.day,
      messages: n(r.messages),
    }));
  }

  /** The rate card rows the workspace prices with: the defaults and its own (all dates). */
  async rateCards(ws: WorkspaceId): Promise<RateCardRow[]> {
    const rows = await queryRows<{
      workspace_id: string | null;
      calling_code: string;
      category: RateCardRow['category'];
      currency: string;
      price: string;
      effective_from: string;
    }>(
      this.db,
      `SELECT workspace_id, calling_code, category, currency, price,
              to_char(effective_from, 'YYYY-MM-DD') AS effective_from
         FROM rate_cards WHERE workspace_id IS NULL OR workspace_id = $1`,
      [ws],
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      callingCode: r.calling_code,
      category: r.category,
      currency: r.currency.trim(),
      price: Number(r.price),
      effectiveFrom: r.effective_from,
    }));
  }

  async conversionStats(
    ws: WorkspaceId,
    campaignIds: string[],
    groupBy: 'campaign' | 'template',
  ): Promise<ConversionStat[]> {
    const rows = await queryRows<{
      key: string;
      event_name: string;
      currency: string;
      events: string;
      value: string;
    }>(
      this.db,
      `SELECT ${groupBy === 'campaign' ? 'c.id' : 'c.template_id'} AS key, s.event_name, s.currency,
              sum(s.events) AS events, sum(s.value) AS value
         FROM campaign_conversion_stats s JOIN campaigns c ON c.id = s.campaign_id
        WHERE c.workspace_id = $1 AND s.campaign_id = ANY($2::uuid[])
        GROUP BY 1, 2, 3 ORDER BY 2, 3`,
      [ws, campaignIds],
    );
    return rows.map((r) => ({
      key: r.key,
      eventName: r.event_name,
      currency: r.currency === '' ? null : r.currency,
      events: n(r.events),
      value: Number(r.value),
    }));
  }

  async latestBenchmark(templateId: string): Promise<{
    asOf: string;
    periodStart: string | null;
    readRate: number | null;
    clickRate: number | null;
    fetchedAt: Date;
  } | null> {
    const rows = await queryRows<{
      as_of: string;
      period_start: string | null;
      read_rate: string | null;
      click_rate: string | null;
      fetched_at: Date;
    }>(
      this.db,
      `SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, to_char(period_start, 'YYYY-MM-DD') AS period_start,
              read_rate, click_rate, fetched_at
         FROM template_benchmarks WHERE template_id = $1 ORDER BY as_of DESC LIMIT 1`,
      [templateId],
    );
    const r = rows[0];
    return r
      ? {
          asOf: r.as_of,
          periodStart: r.period_start,
          readRate: r.read_rate === null ? null : Number(r.read_rate),
          clickRate: r.click_rate === null ? null : Number(r.click_rate),
          fetchedAt: r.fetched_at,
        }
      : null;
  }

  /** Meta's daily MM template analytics between two dates (inclusive), summed. */
  async metaDays(
    templateId: string,
    fromDay: string,
    toDay: string,
  ): Promise<{
    days: number;
    sent: number;
    delivered: number;
    read: number;
    clicked: number;
    cost: number | null;
    conversions: Record<string, number>;
    fetchedAt: Date | null;
  }> {
    const rows = await queryRows<{
      sent: string;
      delivered: string;
      read: string;
      clicked: string;
      cost: string | null;
      conversions: Record<string, number>;
      fetched_at: Date;
    }>(
      this.db,
      `SELECT sent, delivered, read, clicked, cost, conversions, fetched_at FROM template_mm_daily
        WHERE template_id = $1 AND day BETWEEN $2::date AND $3::date`,
      [templateId, fromDay, toDay],
    );
    const conversions: Record<string, number> = {};
    let cost: number | null = null;
    let fetchedAt = 0;
    const total = { sent: 0, delivered: 0, read: 0, clicked: 0 };
    for (const r of rows) {
      total.sent += n(r.sent);
      total.delivered += n(r.delivered);
      total.read += n(r.read);
      total.clicked += n(r.clicked);
      if (r.cost !== null) {
        cost = (cost ?? 0) + Number(r.cost);
      }
      for (const [k, v] of Object.entries(r.conversions)) {
        conversions[k] = (conversions[k] ?? 0) + v;
      }
      fetchedAt = Math.max(fetchedAt, r.fetched_at.getTime());
    }
    return {
      days: rows.length,
      ...total,
      cost,
      conversions,
      fetchedAt: rows.length ? new Date(fetchedAt) : null,
    };
  }

  /** Campaigns started in [from, to), with counters, for the workspace overview. */
  async campaignsStarted(ws: WorkspaceId, from: Date, to: Date): Promise<CampaignHead[]> {
    const rows = await queryRows<HeadRow>(
      this.db,
      `${HEAD_SELECT}
        WHERE c.workspace_id = $1 AND c.started_at >= $2 AND c.started_at < $3
        ORDER BY c.started_at, c.id`,
      [ws, from, to],
    );
    return rows.map(toHead);
  }

  /**
   * Deliveries, reads and clicks per UTC day of every campaign of the workspace, from the hourly
   * aggregates (an hour counts on the day it starts in; hours starting in [from, to)).
   */
  async dailyActivity(ws: WorkspaceId, from: Date, to: Date): Promise<DayActivity[]> {
    const rows = await queryRows<{ day: string; delivered: string; read: string; clicked: string }>(
      this.db,
      `SELECT to_char(date_trunc('day', h.hour, 'UTC'), 'YYYY-MM-DD') AS day,
              sum(h.delivered) AS delivered, sum(h.read) AS read, sum(h.clicked) AS clicked
         FROM campaign_hourly_stats h JOIN campaigns c ON c.id = h.campaign_id
        WHERE c.workspace_id = $1 AND h.hour >= $2 AND h.hour < $3
        GROUP BY 1 ORDER BY 1`,
      [ws, from, to],
    );
    return rows.map((r) => ({
      day: r.day,
      delivered: n(r.delivered),
      read: n(r.read),
      clicked: n(r.clicked),
    }));
  }

  /** Meta's link clicks of these campaigns per campaign and template (the trigger's aggregate). */
  async metaClicks(
    campaignIds: readonly string[],
  ): Promise<Array<MetaTemplateClicks & { campaignId: string }>> {
    if (campaignIds.length === 0) {
      return [];
    }
    const rows = await queryRows<{
      campaign_id: string;
      template_id: string;
      name: string;
      language: string;
      clicks: string;
      cta: string;
      body: string;
    }>(
      this.db,
      `SELECT m.campaign_id, m.template_id, t.name, t.language, m.clicks, m.cta, m.body
         FROM campaign_meta_clicks m JOIN templates t ON t.id = m.template_id
        WHERE m.campaign_id = ANY($1::uuid[])
        ORDER BY t.name, t.language, m.template_id`,
      [campaignIds],
    );
    return rows.map((r) => ({
      campaignId: r.campaign_id,
      templateId: r.template_id,
      templateName: r.name,
      language: r.language,
      total: n(r.clicks),
      cta: n(r.cta),
      body: n(r.body),
    }));
  }

  /** Meta's link clicks per number of the workspace over the UTC days that [from, to) touches. */
  async metaClicksByNumber(ws: WorkspaceId, from: Date, to: Date): Promise<NumberMetaClicks[]> {
    const rows = await queryRows<{
      id: string;
      display_phone_number: string;
      clicks: string;
      unattributed: string;
    }>(
      this.db,
      `SELECT p.id, p.display_phone_number, sum(a.clicks) AS clicks, sum(a.unattributed) AS unattributed
         FROM phone_numbers p JOIN phone_number_meta_clicks a ON a.phone_number_id = p.id
        WHERE p.workspace_id = $1
          AND a.day BETWEEN ($2::timestamptz AT TIME ZONE 'UTC')::date
                        AND (($3::timestamptz - interval '1 millisecond') AT TIME ZONE 'UTC')::date
        GROUP BY p.id, p.display_phone_number ORDER BY p.display_phone_number, p.id`,
      [ws, from, to],
    );
    return rows.map((r) => ({
      phoneNumberId: r.id,
      displayPhoneNumber: r.display_phone_number,
      clicks: n(r.clicks),
      unattributed: n(r.unattributed),
    }));
  }

  /** How many of the workspace's campaigns are in each status now (statuses with none left out). */
  async campaignsByStatus(ws: WorkspaceId): Promise<Array<{ status: string; campaigns: number }>> {
    const rows = await queryRows<{ status: string; campaigns: string }>(
      this.db,
      `SELECT status, count(*) AS campaigns FROM campaigns WHERE workspace_id = $1
        GROUP BY status ORDER BY status`,
      [ws],
    );
    return rows.map((r) => ({ status: r.status, campaigns: n(r.campaigns) }));
  }

  /** The next batch of a campaign's messages after `afterId` (keyset on the primary key). */
  async exportBatch(campaignId: string, afterId: string, limit: number): Promise<ExportRow[]> {
    return queryRows<ExportRow>(
      this.db,
      `SELECT cm.id, cm.contact_id, cm.phone, cm.status, cm.skip_reason, cm.wamid, cm.error_code, cm.error_title,
              cm.pricing_category, cm.billable, cm.sent_at, cm.delivered_at, cm.read_at, cm.clicked_at,
              cm.failed_at, (cv.campaign_message_id IS NOT NULL) AS converted,
              coalesce(cm.variant, k.winner_key) AS variant
         FROM campaign_messages cm JOIN campaigns k ON k.id = cm.campaign_id
         LEFT JOIN campaign_converted_messages cv ON cv.campaign_message_id = cm.id
        WHERE cm.campaign_id = $1 AND cm.id > $2::bigint
        ORDER BY cm.id LIMIT $3`,
      [campaignId, afterId, limit],
    );
  }
}
