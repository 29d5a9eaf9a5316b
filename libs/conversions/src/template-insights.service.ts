import { Inject, Injectable, Logger } from '@nestjs/common';
import { BusinessAccountsService } from '@app/accounts';
import { CLOCK, asWorkspaceId, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GraphApiError, GraphClient } from '@app/graph-client';
import { CONVERSION_METRICS, type TemplateAnalyticsMetric } from '@app/graph-contract';
import { DAY_MS } from './domain/attribution';
import { dayMetrics, metaDate } from './domain/meta-metrics';
import { TemplateInsightsRepository } from './template-insights.repository';
import type { InsightTarget } from './conversions.types';

const METRICS: TemplateAnalyticsMetric[] = [
  'SENT',
  'DELIVERED',
  'READ',
  'CLICKED',
  'COST',
  ...CONVERSION_METRICS,
];
const LOOKBACK_MS = 89 * DAY_MS;
const CLAIM_PER_TICK = 20;

/**
 * Pulls what Meta reports about the templates of recent campaigns — MM Lite benchmarks (read and
 * click rate of peers, with their date) and daily MM template analytics including conversions —
 * and stores them for the reports. Runs on a schedule on every worker; the claim is atomic.
 */
@Injectable()
export class TemplateInsightsService {
  private readonly logger = new Logger(TemplateInsightsService.name);

  constructor(
    private readonly repo: TemplateInsightsRepository,
    private readonly accounts: BusinessAccountsService,
    private readonly graph: GraphClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Fetches the due templates; returns how many were fetched without error. */
  async refreshDue(): Promise<number> {
    const due = await this.repo.claimDue(CLAIM_PER_TICK, this.config.reports.insightsRefreshMs);
    let ok = 0;
    for (const t of due) {
      try {
        await this.refresh(t);
        await this.repo.recordOutcome(t.templateId, null);
        ok++;
      } catch (e) {
        // The next period retries; a token or permission problem shows in last_error meanwhile.
        const message =
          e instanceof GraphApiError
            ? `${e.code}: ${e.message}`
            : e instanceof Error
              ? e.message
              : String(e);
        await this.repo.recordOutcome(t.templateId, message.slice(0, 1000));
        this.logger.warn({
          message: 'template insights fetch failed',
          templateId: t.templateId,
          error: message,
        });
      }
    }
    return ok;
  }

  private async refresh(t: InsightTarget): Promise<void> {
    const token = await this.accounts.accessToken(
      asWorkspaceId(t.workspaceId),
      t.businessAccountId,
    );
    const bench = await this.graph.templateBenchmarks(t.metaTemplateId, token);
    if (bench) {
      const asOf = metaDate(bench.row.date_stop) ?? this.clock.now().toISOString().slice(0, 10);
      await this.repo.saveBenchmark({
        templateId: t.templateId,
        asOf,
        periodStart: metaDate(bench.row.date_start),
        readRate: bench.readRateBenchmark,
        clickRate: bench.clickRateBenchmark,
        adId: bench.adId,
        raw: bench.row,
      });
    }
    const now = this.clock.now().getTime();
    const start = Math.max(t.firstStartedAt.getTime(), now - LOOKBACK_MS);
    const analytics = await this.graph.templateAnalytics(t.wabaId, token, {
      start: new Date(Math.floor(start / DAY_MS) * DAY_MS),
      end: new Date(now),
      templateIds: [t.metaTemplateId],
      metricTypes: METRICS,
      productType: 'MARKETING_MESSAGES_API_FOR_WHATSAPP',
    });
    const points = analytics.data
      .flatMap((d) => d.data_points)
      .filter((p) => p.template_id === t.metaTemplateId);
    await this.repo.saveDays(points.map((p) => ({ templateId: t.templateId, ...dayMetrics(p) })));
  }
}
