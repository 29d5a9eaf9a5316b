import { ApiProperty } from '@nestjs/swagger';
import { CAMPAIGN_STATUSES, retryClassOf, type RetryClass } from '@app/campaigns';
import { categorizeGraphError } from '@app/graph-client';
import type { CampaignReport, OverviewGroup, WorkspaceOverview } from '@app/reports';

const PCT = 'percent (0–100, 2 decimals); null when the denominator is 0';

export class FunnelResponse {
  @ApiProperty({ description: 'recipients snapshotted from the audience' }) targeted!: number;
  @ApiProperty({ description: 'not sent: no opt-in, opted out, missing attribute, …' })
  skipped!: number;
  @ApiProperty({ description: 'accepted by Meta (including those delivered/read later)' })
  sent!: number;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
  @ApiProperty() clicked!: number;
  @ApiProperty({ description: 'distinct messages with at least one attributed conversion' })
  converted!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({
    description:
      "accepted (in sent), but neither delivered nor read within the template's TTL: Meta dropped them (no webhook says so)",
  })
  expired!: number;
}

export class RatesResponse {
  @ApiProperty({ nullable: true, type: Number, description: `delivered / sent, ${PCT}` })
  delivery!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: `read / delivered, ${PCT}` })
  read!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: `clicked / delivered, ${PCT}` })
  click!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: `converted / delivered, ${PCT}` })
  conversion!: number | null;
}

export class FailureResponse {
  @ApiProperty({ description: "Meta's error code (0: failed without a code)" }) code!: number;
  @ApiProperty({ nullable: true, type: String, description: "Meta's error title" })
  title!: string | null;
  @ApiProperty() count!: number;
  @ApiProperty({
    enum: ['now', 'after-24h-once', 'never'],
    description:
      'how POST /v1/campaigns/:id/retry treats this code: sent again at once, once not before 24 h after the failure, or never',
  })
  retry!: RetryClass;
}

export class MoneyResponse {
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty() amount!: number;
}

export class SpendResponse {
  @ApiProperty({
    type: [MoneyResponse],
    description: 'billable messages × the rate card price of the recipient country, per currency',
  })
  amounts!: MoneyResponse[];
  @ApiProperty({ description: 'messages Meta reported as billable (webhook pricing)' })
  billableMessages!: number;
  @ApiProperty({ description: 'billable messages to countries missing from the rate card' })
  unpricedMessages!: number;
}

export class EventConversionsResponse {
  @ApiProperty({ example: 'purchase' }) eventName!: string;
  @ApiProperty({ nullable: true, type: String }) currency!: string | null;
  @ApiProperty() count!: number;
  @ApiProperty({ description: 'sum of event values (0 for events without value)' }) value!: number;
  @ApiProperty({ nullable: true, type: Number, description: `count / delivered, ${PCT}` })
  conversionRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'value / delivered messages' })
  revenuePerMessage!: number | null;
}

export class HourResponse {
  @ApiProperty({ description: 'start of the UTC hour' }) hour!: string;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
  @ApiProperty() clicked!: number;
}

export class BenchmarkResponse {
  @ApiProperty({ description: "Meta's benchmark date (date_stop of the insights row)" })
  asOf!: string;
  @ApiProperty({ nullable: true, type: String }) periodStart!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'peers read rate, percent' })
  readRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'peers click rate, percent' })
  clickRate!: number | null;
  @ApiProperty() fetchedAt!: string;
}

export class BenchmarkComparisonResponse {
  @ApiProperty({ enum: ['read', 'click'] }) metric!: string;
  @ApiProperty({ nullable: true, type: Number, description: "the campaign's own rate, percent" })
  campaign!: number | null;
  @ApiProperty({ nullable: true, type: Number }) benchmark!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'campaign − benchmark, in points' })
  difference!: number | null;
}

export class RecommendationResponse {
  @ApiProperty({
    enum: ['engine'],
    description: "always 'engine': our heuristics; Meta has no API for its recommendations",
  })
  source!: string;
  @ApiProperty({ enum: ['read', 'click'] }) metric!: string;
  @ApiProperty() text!: string;
}

export class MetaReportedResponse {
  @ApiProperty({
    enum: ['template'],
    description: "Meta's figures are per template and day, not per campaign",
  })
  scope!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'days Meta reported in the period' }) days!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
  @ApiProperty() clicked!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'amount_spent' }) cost!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'conversion metrics as Meta names them, e.g. WEBSITE_PURCHASES',
  })
  conversions!: Record<string, number>;
  @ApiProperty({ nullable: true, type: String }) fetchedAt!: string | null;
}

export class SideBySideResponse {
  @ApiProperty() eventName!: string;
  @ApiProperty({ description: 'attributed by the engine: { count, value }' })
  engine!: { count: number; value: number | null };
  @ApiProperty({
    description: "Meta's template analytics for the same event: { count, value, metrics }",
  })
  meta!: { count: number | null; value: number | null; metrics: string[] };
}

export class MetaClicksResponse {
  @ApiProperty({ description: "Meta's link clicks (user_actions webhooks)" }) total!: number;
  @ApiProperty({ description: 'on the call-to-action button (click_component cta)' }) cta!: number;
  @ApiProperty({ description: 'on a link in the body (click_component body)' }) body!: number;
}

export class MetaTemplateClicksResponse extends MetaClicksResponse {
  @ApiProperty() templateId!: string;
  @ApiProperty() templateName!: string;
  @ApiProperty() language!: string;
}

export class CampaignMetaClicksResponse extends MetaClicksResponse {
  @ApiProperty({
    type: [MetaTemplateClicksResponse],
    description: 'per template the clicked messages were sent with (A/B: per variant template)',
  })
  templates!: MetaTemplateClicksResponse[];
}

export class MmLiteResponse {
  @ApiProperty({ nullable: true, type: BenchmarkResponse }) benchmark!: BenchmarkResponse | null;
  @ApiProperty({ type: [BenchmarkComparisonResponse] })
  comparison!: BenchmarkComparisonResponse[];
  @ApiProperty({ type: [RecommendationResponse] }) recommendations!: RecommendationResponse[];
  @ApiProperty({ nullable: true, type: MetaReportedResponse })
  metaReported!: MetaReportedResponse | null;
  @ApiProperty({ type: [SideBySideResponse] }) conversionsSideBySide!: SideBySideResponse[];
}

export class ReportTemplateResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() language!: string;
  @ApiProperty({ nullable: true, type: String }) metaTemplateId!: string | null;
}

export class RetriesResponse {
  @ApiProperty({ description: 'failed messages sent again by POST /retry' }) retried!: number;
  @ApiProperty({ description: 'of them, accepted by Meta since' }) recovered!: number;
}

export class RouteResponse {
  @ApiProperty({ description: 'sent via the MM API (status pricing.category marketing_lite)' })
  viaMmApi!: number;
  @ApiProperty({
    description:
      'fell back to Cloud API (pricing.category marketing: product policy CLOUD_API_FALLBACK on a WABA not onboarded)',
  })
  fellBack!: number;
  @ApiProperty({ description: 'sent by Cloud API /messages (template no longer MARKETING)' })
  cloudApi!: number;
  @ApiProperty({
    description: "Meta's marketing experiment holdout (130472): not a failure of the campaign",
  })
  experimentHoldout!: number;
}

export class HoldoutGroupResponse {
  @ApiProperty() contacts!: number;
  @ApiProperty({ description: 'contacts with a conversion event in the window' })
  converted!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'percent' })
  conversionRate!: number | null;
}

export class HoldoutResponse {
  @ApiProperty({ description: 'share of the target kept out' }) percent!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'window start: the target was resolved',
  })
  from!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'window end: + attribution window, or now',
  })
  to!: string | null;
  @ApiProperty({ type: HoldoutGroupResponse, description: 'recipients Meta accepted' })
  sent!: HoldoutGroupResponse;
  @ApiProperty({ type: HoldoutGroupResponse }) holdout!: HoldoutGroupResponse;
  @ApiProperty({ nullable: true, type: Number, description: 'sent − holdout rate, points' })
  difference!: number | null;
  @ApiProperty({ nullable: true, type: [Number], description: '95 % interval of the difference' })
  ci95!: [number, number] | null;
  @ApiProperty({ nullable: true, type: Number, description: 'difference / holdout rate, percent' })
  relativeLift!: number | null;
}

export class VariantRowResponse {
  @ApiProperty() key!: string;
  @ApiProperty() templateId!: string;
  @ApiProperty() weight!: number;
  @ApiProperty({ type: FunnelResponse, description: 'its test share' }) funnel!: FunnelResponse;
  @ApiProperty({ type: RatesResponse }) rates!: RatesResponse;
  @ApiProperty() winner!: boolean;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "against the winner's metric rate (the winner: against the runner-up)",
  })
  pValue!: number | null;
}

export class AbTestWinnerResponse {
  @ApiProperty() key!: string;
  @ApiProperty() decidedAt!: string;
  @ApiProperty({ enum: ['rule', 'hand'] }) by!: string;
  @ApiProperty({ description: 'its lead was significant at 95 %' }) significant!: boolean;
}

export class AbTestRestResponse {
  @ApiProperty({ type: FunnelResponse }) funnel!: FunnelResponse;
  @ApiProperty({ type: RatesResponse }) rates!: RatesResponse;
}

export class AbTestReportResponse {
  @ApiProperty() testPercent!: number;
  @ApiProperty({ enum: ['read', 'click', 'conversion'] }) metric!: string;
  @ApiProperty({ type: AbTestWinnerResponse, nullable: true }) winner!: AbTestWinnerResponse | null;
  @ApiProperty({ type: [VariantRowResponse] }) variants!: VariantRowResponse[];
  @ApiProperty({
    type: AbTestRestResponse,
    nullable: true,
    description: 'the rest of the target, sent with the winner',
  })
  rest!: AbTestRestResponse | null;
}

export class CampaignReportResponse {
  @ApiProperty() campaignId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: ReportTemplateResponse }) template!: ReportTemplateResponse;
  @ApiProperty() generatedAt!: string;
  @ApiProperty({ type: FunnelResponse }) funnel!: FunnelResponse;
  @ApiProperty({ type: RatesResponse }) rates!: RatesResponse;
  @ApiProperty({ type: [FailureResponse] }) failures!: FailureResponse[];
  @ApiProperty({ type: [EventConversionsResponse] }) conversions!: EventConversionsResponse[];
  @ApiProperty({ type: [MoneyResponse] }) revenue!: MoneyResponse[];
  @ApiProperty({ type: [MoneyResponse], description: 'revenue / delivered messages' })
  revenuePerMessage!: MoneyResponse[];
  @ApiProperty({ type: SpendResponse }) spend!: SpendResponse;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'revenue / spend when both are in one currency, else null',
  })
  returnOnSpend!: number | null;
  @ApiProperty({ type: [HourResponse] }) hourly!: HourResponse[];
  @ApiProperty({ type: RetriesResponse }) retries!: RetriesResponse;
  @ApiProperty({ type: RouteResponse }) route!: RouteResponse;
  @ApiProperty({ type: HoldoutResponse, nullable: true, description: 'with a holdout: the lift' })
  holdout!: HoldoutResponse | null;
  @ApiProperty({ type: AbTestReportResponse, nullable: true, description: 'with A/B variants' })
  abTest!: AbTestReportResponse | null;
  @ApiProperty({
    type: CampaignMetaClicksResponse,
    description:
      "Meta's link clicks (user_actions webhooks) whose tracking token named one of this campaign's messages; counted beside funnel.clicked (our tracked links), never added to it",
  })
  metaClicks!: CampaignMetaClicksResponse;
  @ApiProperty({ type: MmLiteResponse }) mmLite!: MmLiteResponse;
}

export function toCampaignReportResponse(r: CampaignReport): CampaignReportResponse {
  return {
    campaignId: r.campaignId,
    name: r.name,
    status: r.status,
    template: { ...r.template },
    generatedAt: r.generatedAt.toISOString(),
    funnel: { ...r.funnel },
    rates: { ...r.rates },
    failures: r.failures.map((f) => ({
      ...f,
      retry: retryClassOf(f.code, categorizeGraphError(f.code)),
    })),
    conversions: r.conversions.map((c) => ({ ...c })),
    revenue: r.revenue.map((m) => ({ ...m })),
    revenuePerMessage: r.revenuePerMessage.map((m) => ({ ...m })),
    spend: { ...r.spend, amounts: r.spend.amounts.map((m) => ({ ...m })) },
    returnOnSpend: r.returnOnSpend,
    hourly: r.hourly.map((h) => ({ ...h, hour: h.hour.toISOString() })),
    retries: { ...r.retries },
    route: { ...r.route },
    holdout: r.holdout
      ? {
          ...r.holdout,
          from: r.holdout.from?.toISOString() ?? null,
          to: r.holdout.to?.toISOString() ?? null,
        }
      : null,
    abTest: r.abTest
      ? {
          ...r.abTest,
          winner: r.abTest.winner
            ? { ...r.abTest.winner, decidedAt: r.abTest.winner.decidedAt.toISOString() }
            : null,
          variants: r.abTest.variants.map((v) => ({
            ...v,
            funnel: { ...v.funnel },
            rates: { ...v.rates },
          })),
        }
      : null,
    metaClicks: {
      total: r.metaClicks.total,
      cta: r.metaClicks.cta,
      body: r.metaClicks.body,
      templates: r.metaClicks.templates.map((t) => ({ ...t })),
    },
    mmLite: {
      benchmark: r.mmLite.benchmark
        ? { ...r.mmLite.benchmark, fetchedAt: r.mmLite.benchmark.fetchedAt.toISOString() }
        : null,
      comparison: r.mmLite.comparison.map((c) => ({ ...c })),
      recommendations: r.mmLite.recommendations.map((x) => ({ ...x })),
      metaReported: r.mmLite.metaReported
        ? {
            ...r.mmLite.metaReported,
            fetchedAt: r.mmLite.metaReported.fetchedAt?.toISOString() ?? null,
          }
        : null,
      conversionsSideBySide: r.mmLite.conversionsSideBySide.map((s) => ({ ...s })),
    },
  };
}

export class OverviewGroupResponse {
  @ApiProperty() campaigns!: number;
  @ApiProperty({
    type: MetaClicksResponse,
    description: "Meta's link clicks attributed to these campaigns' messages",
  })
  metaClicks!: MetaClicksResponse;
  @ApiProperty({ type: FunnelResponse }) funnel!: FunnelResponse;
  @ApiProperty({ type: RatesResponse }) rates!: RatesResponse;
  @ApiProperty({ type: [MoneyResponse] }) revenue!: MoneyResponse[];
  @ApiProperty({ type: SpendResponse }) spend!: SpendResponse;
  @ApiProperty({ nullable: true, type: Number }) returnOnSpend!: number | null;
}

export class TemplateOverviewResponse extends OverviewGroupResponse {
  @ApiProperty() templateId!: string;
  @ApiProperty() templateName!: string;
  @ApiProperty() language!: string;
}

export class DayResponse {
  @ApiProperty({ example: '2026-03-31', description: 'UTC day' }) day!: string;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
  @ApiProperty() clicked!: number;
}

export class NumberMetaClicksResponse {
  @ApiProperty({ description: 'the phone number (GET /v1/phone-numbers id)' })
  phoneNumberId!: string;
  @ApiProperty() displayPhoneNumber!: string;
  @ApiProperty({ description: "Meta's link clicks on messages from this number" }) clicks!: number;
  @ApiProperty({
    description:
      'of them, with a tracking token that named none of our messages (not in any campaign)',
  })
  unattributed!: number;
}

export class CampaignStatusCountResponse {
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty() campaigns!: number;
}

export class WorkspaceOverviewResponse {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: OverviewGroupResponse, description: 'campaigns started in [from, to)' })
  totals!: OverviewGroupResponse;
  @ApiProperty({ type: [TemplateOverviewResponse] }) templates!: TemplateOverviewResponse[];
  @ApiProperty({
    type: [DayResponse],
    description:
      'deliveries, reads and clicks per UTC day of [from, to), of any campaign (every day listed)',
  })
  daily!: DayResponse[];
  @ApiProperty({
    type: [NumberMetaClicksResponse],
    description:
      "Meta's link clicks per number over the UTC days [from, to) touches (numbers with none left out)",
  })
  metaClicksByNumber!: NumberMetaClicksResponse[];
  @ApiProperty({
    type: [CampaignStatusCountResponse],
    description: "the workspace's campaigns by their status now (statuses with none left out)",
  })
  campaignsByStatus!: CampaignStatusCountResponse[];
}

function toGroup(g: OverviewGroup): OverviewGroupResponse {
  return {
    campaigns: g.campaigns,
    metaClicks: { ...g.metaClicks },
    funnel: { ...g.funnel },
    rates: { ...g.rates },
    revenue: g.revenue.map((m) => ({ ...m })),
    spend: { ...g.spend, amounts: g.spend.amounts.map((m) => ({ ...m })) },
    returnOnSpend: g.returnOnSpend,
  };
}

export function toWorkspaceOverviewResponse(o: WorkspaceOverview): WorkspaceOverviewResponse {
  return {
    from: o.from.toISOString(),
    to: o.to.toISOString(),
    totals: toGroup(o.totals),
    templates: o.templates.map((t) => ({
      templateId: t.templateId,
      templateName: t.templateName,
      language: t.language,
      ...toGroup(t),
    })),
    daily: o.daily.map((d) => ({ ...d })),
    metaClicksByNumber: o.metaClicksByNumber.map((x) => ({ ...x })),
    campaignsByStatus: o.campaignsByStatus.map((c) => ({ ...c })),
  };
}
