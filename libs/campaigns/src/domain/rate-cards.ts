// Dated rate cards (MMLITE §9.1, MMLITE-2026 row 12). Meta charges per delivered template message
// by pricing category × the recipient's calling code, and changes its rates on given days. A rate
// card row is in force from its `effectiveFrom` day (UTC) until the next row of the same calling
// code and category. A delivered message costs the price in force on its delivery day.

export const PRICING_CATEGORIES = ['marketing', 'utility', 'authentication'] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

export interface RateCardRow {
  /** null: the defaults every workspace starts from. */
  workspaceId: string | null;
  callingCode: string;
  category: PricingCategory;
  currency: string;
  price: number;
  /** YYYY-MM-DD, UTC. */
  effectiveFrom: string;
}

/** The UTC day of an instant, as YYYY-MM-DD (how rate cards and deliveries are dated). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The rate card category of a status webhook's `pricing.category` (§4.5): MM's `marketing_lite`
 * and a Cloud API fallback's `marketing` are both marketing. Unknown or missing (a billable
 * message whose category never came): marketing, what campaigns send.
 */
export function pricingCategoryOf(webhookCategory: string | null): PricingCategory {
  const c = (webhookCategory ?? '').toLowerCase();
  if (c === 'utility' || c === 'group_utility') {
    return 'utility';
  }
  if (c.startsWith('authentication')) {
    return 'authentication';
  }
  return 'marketing';
}

/**
 * The row in force on `day` for a calling code and category: the workspace's own latest row
 * effective by then, else the defaults' latest (a workspace's rows replace the defaults from
 * their day on). Null when no row is in force yet.
 */
export function rateInForce(
  rows: readonly RateCardRow[],
  callingCode: string,
  category: PricingCategory,
  day: string,
): RateCardRow | null {
  const latest = (own: boolean): RateCardRow | null =>
    rows
      .filter(
        (r) =>
          r.callingCode === callingCode &&
          r.category === category &&
          r.effectiveFrom <= day &&
          (r.workspaceId !== null) === own,
      )
      .reduce<RateCardRow | null>(
        (a, r) => (!a || r.effectiveFrom > a.effectiveFrom ? r : a),
        null,
      );
  return latest(true) ?? latest(false);
}

/** The longest calling code among the cards that `phoneDigits` (a prefix after '+') starts with. */
export function longestCallingCode(
  phoneDigits: string,
  rows: readonly RateCardRow[],
): string | null {
  let best: string | null = null;
  for (const r of rows) {
    if (phoneDigits.startsWith(r.callingCode) && (!best || r.callingCode.length > best.length)) {
      best = r.callingCode;
    }
  }
  return best;
}

/** Every (calling code, category) priced on `day`: the plan's card "now". */
export function cardsInForce(
  rows: readonly RateCardRow[],
  category: PricingCategory,
  day: string,
): RateCardRow[] {
  const codes = new Set(rows.filter((r) => r.category === category).map((r) => r.callingCode));
  return [...codes].flatMap((code) => {
    const r = rateInForce(rows, code, category, day);
    return r ? [r] : [];
  });
}

export interface DeliveredBillable {
  /** Up to four digits after '+'. */
  prefix: string;
  /** The webhook's pricing.category ('' when none came). */
  pricingCategory: string;
  /** UTC delivery day, YYYY-MM-DD. */
  day: string;
  messages: number;
}

export interface PricedSpend {
  amounts: Array<{ currency: string; amount: number }>;
  billableMessages: number;
  /** Delivered billable messages with no rate card row in force on their day: not in `amounts`. */
  unpricedMessages: number;
}

/**
 * Cost of delivered billable messages: each group (prefix, category, day) is priced at the row in
 * force on its delivery day for the longest calling code the prefix starts with, so a campaign
 * whose deliveries straddle a price change is priced partly at each. Summed per currency.
 */
export function priceDeliveries(
  groups: readonly DeliveredBillable[],
  rows: readonly RateCardRow[],
): PricedSpend {
  const byCurrency = new Map<string, number>();
  let billable = 0;
  let unpriced = 0;
  const ofCategory = new Map(
    PRICING_CATEGORIES.map((c) => [c, rows.filter((r) => r.category === c)] as const),
  );
  for (const g of groups) {
    billable += g.messages;
    const category = pricingCategoryOf(g.pricingCategory);
    const code = longestCallingCode(g.prefix, ofCategory.get(category) ?? []);
    const card = code ? rateInForce(rows, code, category, g.day) : null;
    if (!card) {
      unpriced += g.messages;
      continue;
    }
    byCurrency.set(card.currency, (byCurrency.get(card.currency) ?? 0) + g.messages * card.price);
  }
  return {
    amounts: [...byCurrency]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) => ({ currency, amount: Math.round(amount * 1e6) / 1e6 })),
    billableMessages: billable,
    unpricedMessages: unpriced,
  };
}

/**
 * Where a page of rate cards ended. Cards are listed by calling code, category and day, the
 * default before a workspace's own row of the same day (then by id): the order a card is read in.
 */
export interface RateCardKey {
  callingCode: string;
  category: PricingCategory;
  effectiveFrom: string;
  /** false: a default row; true: the workspace's own. */
  own: boolean;
  id: string;
}

/** The earliest day a rate card row may have (the table's CHECK; Postgres has no year 0). */
const RATE_CARD_FIRST_DAY = '2000-01-01';

export function encodeRateCardCursor(k: RateCardKey): string {
  return Buffer.from(
    [k.callingCode, k.category, k.effectiveFrom, k.own ? 'w' : 'd', k.id].join('|'),
    'utf8',
  ).toString('base64url');
}

/** A cursor from a client, checked as far as the query uses it; null when it is not one of ours. */
export function decodeRateCardCursor(raw: string): RateCardKey | null {
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const [callingCode, category, effectiveFrom, scope, id] = parts;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom ?? '')
    ? new Date(`${effectiveFrom}T00:00:00Z`)
    : null;
  if (
    parts.length !== 5 ||
    !/^[1-9][0-9]{0,3}$/.test(callingCode ?? '') ||
    !(PRICING_CATEGORIES as readonly string[]).includes(category ?? '') ||
    !day ||
    Number.isNaN(day.getTime()) ||
    utcDay(day) !== effectiveFrom ||
    effectiveFrom < RATE_CARD_FIRST_DAY ||
    (scope !== 'd' && scope !== 'w') ||
    !/^[1-9][0-9]{0,18}$/.test(id ?? '') ||
    BigInt(id as string) > 9223372036854775807n
  ) {
    return null;
  }
  return {
    callingCode: callingCode as string,
    category: category as PricingCategory,
    effectiveFrom,
    own: scope === 'w',
    id: id as string,
  };
}
