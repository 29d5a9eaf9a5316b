import { twoProportionPValue } from '@app/common';
/**
 * The arithmetic of campaign reports. Rates are percentages (0–100) rounded to 2 decimals, or null
 * when the denominator is zero (a rate of nothing is unknown, not 0). Money is rounded to 6
 * decimals (rate cards have 6); ratios such as return on spend to 4.
 */
export interface FunnelCounts {
  targeted: number;
  skipped: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  converted: number;
  failed: number;
  /** Accepted, neither delivered nor read by the template's TTL (Meta dropped them); part of sent. */
  expired: number;
}

export function emptyFunnel(): FunnelCounts {
  return {
    targeted: 0,
    skipped: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    converted: 0,
    failed: 0,
    expired: 0,
  };
}

export interface FunnelRates {
  /** delivered / sent */
  delivery: number | null;
  /** read / delivered (Meta's definition of read rate) */
  read: number | null;
  /** clicked / delivered (Meta's definition of click rate) */
  click: number | null;
  /** converted messages / delivered */
  conversion: number | null;
}

export function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round((n + Number.EPSILON * Math.sign(n)) * f) / f;
}

export function percent(part: number, whole: number): number | null {
  return whole > 0 ? round((part / whole) * 100, 2) : null;
}

export function funnelRates(c: FunnelCounts): FunnelRates {
  return {
    delivery: percent(c.delivered, c.sent),
    read: percent(c.read, c.delivered),
    click: percent(c.clicked, c.delivered),
    conversion: percent(c.converted, c.delivered),
  };
}

export interface Money {
  currency: string;
  amount: number;
}

export interface SpendEstimate {
  amounts: Money[];
  billableMessages: number;
  /** Delivered billable messages with no rate card row in force on their day: not in `amounts`. */
  unpricedMessages: number;
}

/**
 * Revenue over spend, when both are in one and the same currency (we do not convert currencies);
 * null otherwise or when nothing was spent.
 */
export function returnOnSpend(revenue: readonly Money[], spend: readonly Money[]): number | null {
  if (spend.length !== 1) {
    return null;
  }
  const cost = spend[0] as Money;
  if (cost.amount <= 0) {
    return null;
  }
  const others = revenue.filter((r) => r.currency !== cost.currency && r.amount > 0);
  if (others.length > 0) {
    return null;
  }
  const earned = revenue.find((r) => r.currency === cost.currency)?.amount ?? 0;
  return round(earned / cost.amount, 4);
}

/** Per delivered message, in money (6 decimals); null when nothing was delivered. */
export function perMessage(amount: number, delivered: number): number | null {
  return delivered > 0 ? round(amount / delivered, 6) : null;
}

export interface BenchmarkComparison {
  metric: 'read' | 'click';
  campaign: number | null;
  benchmark: number | null;
  /** campaign − benchmark in percentage points; null when either side is unknown. */
  difference: number | null;
}

export function compareToBenchmark(
  metric: 'read' | 'click',
  campaign: number | null,
  benchmark: number | null,
): BenchmarkComparison {
  return {
    metric,
    campaign,
    benchmark,
    difference: campaign !== null && benchmark !== null ? round(campaign - benchmark, 2) : null,
  };
}

export interface Recommendation {
  /** Always `engine`: Meta has no API for its recommendations, these are our own heuristics. */
  source: 'engine';
  metric: 'read' | 'click';
  text: string;
}

const ADVICE: Record<'read' | 'click', string> = {
  read: 'Make the first line specific to the contact and the offer, and send when your contacts are usually active.',
  click:
    'Give the button one clear action and make the offer concrete (amount, deadline) in the body.',
};

/** One recommendation per metric that is below its benchmark, stating by how much. */
export function recommendationsFor(comparisons: readonly BenchmarkComparison[]): Recommendation[] {
  return comparisons
    .filter((c) => c.difference !== null && c.difference < 0)
    .map((c) => ({
      source: 'engine',
      metric: c.metric,
      text: `The ${c.metric} rate (${c.campaign}%) is ${Math.abs(c.difference as number)} points below the MM Lite benchmark (${c.benchmark}%). ${ADVICE[c.metric]}`,
    }));
}

/** Our event names and the template-analytics metrics Meta reports for the same thing. */
export const META_EQUIVALENTS: Record<string, { count: string[]; value?: string[] }> = {
  add_to_cart: { count: ['APP_ADD_TO_CART', 'WEBSITE_ADD_TO_CART'] },
  checkout_initiated: { count: ['APP_CHECKOUTS_INITIATED', 'WEBSITE_CHECKOUTS_INITIATED'] },
  purchase: {
    count: ['APP_PURCHASES', 'WEBSITE_PURCHASES'],
    value: ['APP_PURCHASES_CONVERSION_VALUE', 'WEBSITE_PURCHASES_CONVERSION_VALUE'],
  },
};

export interface SideBySide {
  eventName: string;
  engine: { count: number; value: number | null };
  meta: { count: number | null; value: number | null; metrics: string[] };
}

/**
 * Our attributed conversions beside what Meta reports for the template, per standard event; Meta
 * side null when Meta reported none of its metrics (not fetched, or not an MM template).
 */
export function conversionsSideBySide(
  engine: ReadonlyMap<string, { count: number; value: number | null }>,
  meta: Readonly<Record<string, number>> | null,
): SideBySide[] {
  const names = [...new Set([...Object.keys(META_EQUIVALENTS), ...engine.keys()])].sort();
  return names.map((eventName) => {
    const eq = META_EQUIVALENTS[eventName];
    const sum = (keys: string[] | undefined): number | null => {
      if (!meta || !keys) {
        return null;
      }
      const present = keys.filter((k) => meta[k] !== undefined);
      return present.length
        ? round(
            present.reduce((n, k) => n + (meta[k] ?? 0), 0),
            6,
          )
        : null;
    };
    return {
      eventName,
      engine: engine.get(eventName) ?? { count: 0, value: null },
      meta: {
        count: sum(eq?.count),
        value: sum(eq?.value),
        metrics: [...(eq?.count ?? []), ...(eq?.value ?? [])],
      },
    };
  });
}

export interface HoldoutGroup {
  contacts: number;
  converted: number;
  /** converted / contacts, percent */
  conversionRate: number | null;
}

export interface HoldoutLift {
  sent: HoldoutGroup;
  holdout: HoldoutGroup;
  /** Conversion rate of sent minus holdout, in percentage points, with its 95 % interval. */
  difference: number | null;
  ci95: [number, number] | null;
  /** difference / holdout rate, percent (null when the holdout converted nobody). */
  relativeLift: number | null;
}

/**
 * Lift of a campaign over its control group: the difference of two proportions with a 95 %
 * Wald interval (normal approximation; wide, as it should be, while the groups are small).
 */
export function holdoutLift(
  sent: { contacts: number; converted: number },
  holdout: { contacts: number; converted: number },
): HoldoutLift {
  const group = (g: { contacts: number; converted: number }): HoldoutGroup => ({
    ...g,
    conversionRate: percent(g.converted, g.contacts),
  });
  if (sent.contacts === 0 || holdout.contacts === 0) {
    return {
      sent: group(sent),
      holdout: group(holdout),
      difference: null,
      ci95: null,
      relativeLift: null,
    };
  }
  const p1 = sent.converted / sent.contacts;
  const p0 = holdout.converted / holdout.contacts;
  const se = Math.sqrt((p1 * (1 - p1)) / sent.contacts + (p0 * (1 - p0)) / holdout.contacts);
  const diff = p1 - p0;
  return {
    sent: group(sent),
    holdout: group(holdout),
    difference: round(diff * 100, 2),
    ci95: [round((diff - 1.96 * se) * 100, 2), round((diff + 1.96 * se) * 100, 2)],
    relativeLift: p0 > 0 ? round((diff / p0) * 100, 1) : null,
  };
}

/** Deliveries, reads and clicks that happened on one UTC day (YYYY-MM-DD). */
export interface DayActivity {
  day: string;
  delivered: number;
  read: number;
  clicked: number;
}

const DAY_MS = 86_400_000;

/**
 * One entry per UTC day that [from, to) touches, oldest first: the activity of the days that had
 * some, zeros for the rest (a chart's x axis has no gaps).
 */
export function dailySeries(from: Date, to: Date, days: readonly DayActivity[]): DayActivity[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out: DayActivity[] = [];
  const last = to.getTime() - 1;
  for (let t = Math.floor(from.getTime() / DAY_MS) * DAY_MS; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, delivered: 0, read: 0, clicked: 0 });
  }
  return out;
}

export interface VariantRow {
  key: string;
  templateId: string;
  weight: number;
  /** Its test share (the rest of the target is reported apart). */
  funnel: FunnelCounts;
  rates: FunnelRates;
  winner: boolean;
  /**
   * Two-sided p-value of its metric rate against the winner's (for the winner itself: against the
   * runner-up, as decided); null before there is data or a winner.
   */
  pValue: number | null;
}

const roundP = (p: number | null): number | null => (p === null ? null : round(p, 6));

const successesOf = (f: FunnelCounts, metric: 'read' | 'click' | 'conversion'): number =>
  metric === 'read' ? f.read : metric === 'click' ? f.clicked : f.converted;

/** A row per variant of an A/B test, with its rates and p-value against the winner. */
export function variantRows(
  variants: ReadonlyArray<{ key: string; templateId: string; weight: number }>,
  funnels: ReadonlyMap<string, FunnelCounts>,
  metric: 'read' | 'click' | 'conversion',
  winner: { key: string; pValue: number | null } | null,
): VariantRow[] {
  const empty = emptyFunnel();
  const won = winner ? funnels.get(winner.key) : undefined;
  return variants.map((v) => {
    const f = funnels.get(v.key) ?? empty;
    const isWinner = winner?.key === v.key;
    return {
      ...v,
      funnel: f,
      rates: funnelRates(f),
      winner: isWinner,
      pValue: isWinner
        ? (winner?.pValue ?? null)
        : won
          ? roundP(
              twoProportionPValue(
                successesOf(f, metric),
                f.delivered,
                successesOf(won, metric),
                won.delivered,
              ),
            )
          : null,
    };
  });
}

/** Meta's link clicks (`user_actions` webhooks): all, on the call to action, on the body. */
export interface MetaClickCounts {
  total: number;
  cta: number;
  body: number;
}

/** Sums click counts (a click Meta sent without a component counts in `total` only). */
export function sumMetaClicks(rows: readonly MetaClickCounts[]): MetaClickCounts {
  return rows.reduce(
    (a, r) => ({ total: a.total + r.total, cta: a.cta + r.cta, body: a.body + r.body }),
    {
      total: 0,
      cta: 0,
      body: 0,
    },
  );
}
