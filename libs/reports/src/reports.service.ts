import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  InvalidInputError,
  NotFoundError,
  isUuid,
  type Clock,
  type WorkspaceId,
} from '@app/common';
import { csvLine } from './domain/csv';
import {
  compareToBenchmark,
  conversionsSideBySide,
  dailySeries,
  emptyFunnel,
  funnelRates,
  holdoutLift,
  percent,
  variantRows,
  perMessage,
  recommendationsFor,
  returnOnSpend,
  round,
  sumMetaClicks,
  type FunnelCounts,
  type Money,
} from './domain/report-math';
import { priceDeliveries, type RateCardRow } from '@app/campaigns';
import { ReportsRepository, type CampaignHead, type ConversionStat } from './reports.repository';
import type {
  CampaignReport,
  EventConversions,
  OverviewGroup,
  TemplateOverview,
  WorkspaceOverview,
} from './reports.types';

const EXPORT_BATCH = 2000;
const DAY_MS = 86_400_000;
const MAX_OVERVIEW_DAYS = 366;

export const EXPORT_COLUMNS = [
  'contact_id',
  'phone',
  'status',
  'skip_reason',
  'variant',
  'wamid',
  'error_code',
  'error_title',
  'pricing_category',
  'billable',
  'sent_at',
  'delivered_at',
  'read_at',
  'clicked_at',
  'failed_at',
  'converted',
] as const;

function revenueOf(stats: readonly ConversionStat[]): Money[] {
  const by = new Map<string, number>();
  for (const s of stats) {
    if (s.currency) {
      by.set(s.currency, (by.get(s.currency) ?? 0) + s.value);
    }
  }
  return [...by]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount: round(amount, 4) }));
}

function sumFunnel(heads: readonly CampaignHead[]): FunnelCounts {
  const f = emptyFunnel();
  for (const h of heads) {
    for (const k of Object.keys(f) as Array<keyof FunnelCounts>) {
      f[k] += h.counts[k];
    }
  }
  return f;
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Campaign reports, the workspace overview and message exports, from read-only SQL. A report reads
 * only aggregates kept as messages change, so it costs the same for 10 or 1,000,000 messages.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async campaignReport(ws: WorkspaceId, campaignId: string): Promise<CampaignReport> {
    const c = isUuid(campaignId) ? await this.repo.campaign(ws, campaignId) : null;
    if (!c) {
      throw new NotFoundError('campaign', campaignId);
    }
    const now = this.clock.now();
    const [failures, hourly, prefixes, cards, stats, benchmark, route, metaClicks] =
      await Promise.all([
        this.repo.failures(c.id),
        this.repo.hourly(c.id),
        this.repo.billablePrefixes(ws, [c.id], 'campaign'),
        this.repo.rateCards(ws),
        this.repo.conversionStats(ws, [c.id], 'campaign'),
        this.repo.latestBenchmark(c.templateId),
        this.repo.routes(c.id),
        this.repo.metaClicks([c.id]),
      ]);
    const end = c.completedAt ?? c.cancelledAt ?? c.failedAt ?? now;
    const meta = c.startedAt
      ? await this.repo.metaDays(c.templateId, ymd(c.startedAt), ymd(end))
      : null;

    const funnel = c.counts;
    const rates = funnelRates(funnel);
    const holdout = c.holdoutPercent > 0 ? await this.holdout(c, now) : null;
    const abTest = c.variants.length > 0 ? await this.abTest(c) : null;
    const delivered = funnel.delivered;
    const conversions: EventConversions[] = stats.map((s) => ({
      eventName: s.eventName,
      currency: s.currency,
      count: s.events,
      value: round(s.value, 4),
      conversionRate: percent(s.events, delivered),
      revenuePerMessage: s.currency ? perMessage(s.value, delivered) : null,
    }));
    const revenue = revenueOf(stats);
    const spend = priceDeliveries(prefixes, cards);
    const comparison = [
      compareToBenchmark('read', rates.read, benchmark?.readRate ?? null),
      compareToBenchmark('click', rates.click, benchmark?.clickRate ?? null),
    ];
    const engineByEvent = new Map<string, { count: number; value: number | null }>();
    for (const s of stats) {
      const e = engineByEvent.get(s.eventName) ?? { count: 0, value: null };
      e.count += s.events;
      if (s.currency) {
        e.value = round((e.value ?? 0) + s.value, 4);
      }
      engineByEvent.set(s.eventName, e);
    }
    const metaReported =
      c.startedAt && meta && meta.days > 0
        ? {
            scope: 'template' as const,
            from: ymd(c.startedAt),
            to: ymd(end),
            days: meta.days,
            sent: meta.sent,
            delivered: meta.delivered,
            read: meta.read,
            clicked: meta.clicked,
            cost: meta.cost === null ? null : round(meta.cost, 6),
            conversions: meta.conversions,
            fetchedAt: meta.fetchedAt,
          }
        : null;
    return {
      campaignId: c.id,
      name: c.name,
      status: c.status,
      template: {
        id: c.templateId,
        name: c.templateName,
        language: c.templateLanguage,
        metaTemplateId: c.metaTemplateId,
      },
      generatedAt: now,
      funnel,
      rates,
      failures,
      conversions,
      revenue,
      revenuePerMessage: revenue.flatMap((r) => {
        const v = perMessage(r.amount, delivered);
        return v === null ? [] : [{ currency: r.currency, amount: v }];
      }),
      spend,
      returnOnSpend: returnOnSpend(revenue, spend.amounts),
      hourly,
      retries: { retried: c.retried, recovered: c.recovered },
      route,
      holdout,
      abTest,
      metaClicks: {
        ...sumMetaClicks(metaClicks),
        templates: metaClicks.map(({ campaignId: _, ...t }) => t),
      },
      mmLite: {
        benchmark,
        comparison,
        recommendations: benchmark ? recommendationsFor(comparison) : [],
        metaReported,
        conversionsSideBySide: conversionsSideBySide(
          engineByEvent,
          metaReported ? metaReported.conversions : null,
        ),
      },
    };
  }

  /** An A/B campaign: a row per variant (its test share), the winner, and the rest sent with it. */
  private async abTest(c: CampaignHead): Promise<CampaignReport['abTest']> {
    const funnels = await this.repo.variantFunnels(c.id);
    const byKey = new Map(
      funnels.flatMap((f) => (f.variant === null ? [] : [[f.variant, f.counts] as const])),
    );
    const metric = c.abTest?.metric ?? 'read';
    const rest = funnels.find((f) => f.variant === null)?.counts ?? null;
    return {
      testPercent: c.abTest?.testPercent ?? 100,
      metric,
      winner: c.winner
        ? {
            key: c.winner.key,
            decidedAt: c.winner.decidedAt,
            by: c.winner.by,
            significant: c.winner.significant,
          }
        : null,
      variants: variantRows(c.variants, byKey, metric, c.winner),
      rest: rest ? { funnel: rest, rates: funnelRates(rest) } : null,
    };
  }

  /**
   * The campaign against its control group: the share of each that converted (any event) from
   * the moment the target was resolved until the attribution window after it closes (or now).
   */
  private async holdout(c: CampaignHead, now: Date): Promise<CampaignReport['holdout']> {
    const from = c.targetReferenceAt ?? c.startedAt;
    if (!from) {
      return {
        percent: c.holdoutPercent,
        from: null,
        to: null,
        ...holdoutLift({ contacts: 0, converted: 0 }, { contacts: 0, converted: 0 }),
      };
    }
    const days = await this.repo.attributionWindowDays(c.workspaceId);
    const to = new Date(Math.min(now.getTime(), from.getTime() + days * DAY_MS));
    const converted = await this.repo.holdoutConversions(c.workspaceId, c.id, from, to);
    return {
      percent: c.holdoutPercent,
      from,
      to,
      ...holdoutLift(
        { contacts: c.counts.sent, converted: converted.sent },
        { contacts: c.holdout, converted: converted.holdout },
      ),
    };
  }

  /** Totals of the campaigns started in [from, to), overall and per template. */
  async overview(ws: WorkspaceId, from?: Date, to?: Date): Promise<WorkspaceOverview> {
    const end = to ?? this.clock.now();
    const start = from ?? new Date(end.getTime() - 30 * DAY_MS);
    if (start.getTime() >= end.getTime()) {
      throw new InvalidInputError('from must be before to');
    }
    if (end.getTime() - start.getTime() > MAX_OVERVIEW_DAYS * DAY_MS) {
      throw new InvalidInputError(`the period can span at most ${MAX_OVERVIEW_DAYS} days`);
    }
    const heads = await this.repo.campaignsStarted(ws, start, end);
    const ids = heads.map((h) => h.id);
    const [prefixes, cards, stats, days, byStatus, metaClicks, byNumber] = await Promise.all([
      this.repo.billablePrefixes(ws, ids, 'template'),
      this.repo.rateCards(ws),
      this.repo.conversionStats(ws, ids, 'template'),
      this.repo.dailyActivity(ws, start, end),
      this.repo.campaignsByStatus(ws),
      this.repo.metaClicks(ids),
      this.repo.metaClicksByNumber(ws, start, end),
    ]);
    const group = (
      members: readonly CampaignHead[],
      p: typeof prefixes,
      s: readonly ConversionStat[],
      rc: readonly RateCardRow[],
      clicks: typeof metaClicks,
    ): OverviewGroup => {
      const funnel = sumFunnel(members);
      const revenue = revenueOf(s);
      const spend = priceDeliveries(p, rc);
      return {
        campaigns: members.length,
        metaClicks: sumMetaClicks(clicks),
        funnel,
        rates: funnelRates(funnel),
        revenue,
        spend,
        returnOnSpend: returnOnSpend(revenue, spend.amounts),
      };
    };
    const templates = new Map<string, CampaignHead[]>();
    for (const h of heads) {
      (templates.get(h.templateId) ?? templates.set(h.templateId, []).get(h.templateId)!).push(h);
    }
    const perTemplate: TemplateOverview[] = [...templates].map(([templateId, members]) => ({
      templateId,
      templateName: (members[0] as CampaignHead).templateName,
      language: (members[0] as CampaignHead).templateLanguage,
      ...group(
        members,
        prefixes.filter((x) => x.key === templateId),
        stats.filter((x) => x.key === templateId),
        cards,
        metaClicks.filter((x) => x.templateId === templateId),
      ),
    }));
    return {
      from: start,
      to: end,
      totals: group(heads, prefixes, stats, cards, metaClicks),
      templates: perTemplate,
      daily: dailySeries(start, end, days),
      metaClicksByNumber: byNumber,
      campaignsByStatus: byStatus,
    };
  }

  /** Checks the campaign belongs to the workspace before any byte of an export is written. */
  async assertCampaign(ws: WorkspaceId, campaignId: string): Promise<void> {
    if (!isUuid(campaignId) || !(await this.repo.campaign(ws, campaignId))) {
      throw new NotFoundError('campaign', campaignId);
    }
  }

  /**
   * Every message of a campaign as CSV, a batch of lines at a time: the caller pulls (a stream with
   * backpressure), so memory stays one batch whatever the campaign's size.
   */
  async *exportCsv(campaignId: string): AsyncGenerator<string> {
    yield csvLine([...EXPORT_COLUMNS]);
    let after = '0';
    for (;;) {
      const rows = await this.repo.exportBatch(campaignId, after, EXPORT_BATCH);
      if (rows.length === 0) {
        return;
      }
      let chunk = '';
      for (const r of rows) {
        chunk += csvLine([
          r.contact_id,
          r.phone,
          r.status,
          r.skip_reason,
          r.wamid,
          r.error_code,
          r.error_title,
          r.pricing_category,
          r.billable,
          r.sent_at,
          r.delivered_at,
          r.read_at,
          r.clicked_at,
          r.failed_at,
          r.converted,
        ]);
      }
      yield chunk;
      after = String((rows[rows.length - 1] as { id: string }).id);
      if (rows.length < EXPORT_BATCH) {
        return;
      }
    }
  }
}
