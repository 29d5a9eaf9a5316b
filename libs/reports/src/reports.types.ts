import type {
  BenchmarkComparison,
  DayActivity,
  FunnelCounts,
  FunnelRates,
  HoldoutLift,
  MetaClickCounts,
  Money,
  VariantRow,
  Recommendation,
  SideBySide,
  SpendEstimate,
} from './domain/report-math';

export interface EventConversions {
  eventName: string;
  currency: string | null;
  count: number;
  value: number;
  /** count / delivered, percent */
  conversionRate: number | null;
  /** value / delivered */
  revenuePerMessage: number | null;
}

export interface CampaignReport {
  campaignId: string;
  name: string;
  status: string;
  template: { id: string; name: string; language: string; metaTemplateId: string | null };
  generatedAt: Date;
  funnel: FunnelCounts;
  rates: FunnelRates;
  failures: Array<{ code: number; title: string | null; count: number }>;
  conversions: EventConversions[];
  revenue: Money[];
  revenuePerMessage: Money[];
  spend: SpendEstimate;
  returnOnSpend: number | null;
  hourly: Array<{ hour: Date; delivered: number; read: number; clicked: number }>;
  /** Failed messages sent again by POST /retry, and those Meta has accepted since. */
  retries: { retried: number; recovered: number };
  /**
   * The route messages really took (status webhooks' pricing): sent via the MM API, fell back to
   * Cloud API, or sent by Cloud API (non-marketing category); and the experiment holdouts (130472),
   * which Meta keeps from a share of users and which are not failures of the campaign.
   */
  route: { viaMmApi: number; fellBack: number; cloudApi: number; experimentHoldout: number };
  /** With a holdout: the campaign's conversion rate against its control group's. */
  holdout: (HoldoutLift & { percent: number; from: Date | null; to: Date | null }) | null;
  /** With A/B variants: a row per variant (its test share), the winner, the rest sent with it. */
  abTest: {
    testPercent: number;
    metric: 'read' | 'click' | 'conversion';
    winner: { key: string; decidedAt: Date; by: 'rule' | 'hand'; significant: boolean } | null;
    variants: VariantRow[];
    rest: { funnel: FunnelCounts; rates: FunnelRates } | null;
  } | null;
  /**
   * Meta's link clicks (`user_actions` webhooks) on this campaign's messages, beside our own
   * `clicked`: those whose tracking token named one of its messages, per template it was sent with.
   */
  metaClicks: MetaClickCounts & { templates: MetaTemplateClicks[] };
  mmLite: {
    benchmark: {
      asOf: string;
      periodStart: string | null;
      readRate: number | null;
      clickRate: number | null;
      fetchedAt: Date;
    } | null;
    comparison: BenchmarkComparison[];
    recommendations: Recommendation[];
    metaReported: {
      scope: 'template';
      from: string;
      to: string;
      days: number;
      sent: number;
      delivered: number;
      read: number;
      clicked: number;
      cost: number | null;
      conversions: Record<string, number>;
      fetchedAt: Date | null;
    } | null;
    conversionsSideBySide: SideBySide[];
  };
}

export interface MetaTemplateClicks extends MetaClickCounts {
  templateId: string;
  templateName: string;
  language: string;
}

/** Meta's link clicks on one number in a period, and how many no campaign message could own. */
export interface NumberMetaClicks {
  phoneNumberId: string;
  displayPhoneNumber: string;
  clicks: number;
  unattributed: number;
}

export interface OverviewGroup {
  campaigns: number;
  /** Meta's link clicks attributed to these campaigns (for a template: sent with that template). */
  metaClicks: MetaClickCounts;
  funnel: FunnelCounts;
  rates: FunnelRates;
  revenue: Money[];
  spend: SpendEstimate;
  returnOnSpend: number | null;
}

export interface TemplateOverview extends OverviewGroup {
  templateId: string;
  templateName: string;
  language: string;
}

export interface WorkspaceOverview {
  from: Date;
  to: Date;
  totals: OverviewGroup;
  templates: TemplateOverview[];
  /** Deliveries, reads and clicks per UTC day of the period, of any campaign. */
  daily: DayActivity[];
  /** Meta's link clicks per number and UTC day of the period, attributed or not. */
  metaClicksByNumber: NumberMetaClicks[];
  /** Every campaign of the workspace by its status now. */
  campaignsByStatus: Array<{ status: string; campaigns: number }>;
}
