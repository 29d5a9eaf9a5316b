import { toWaId } from '@app/common';
import type { RateCardRow } from './rate-cards';

/**
 * Arithmetic of `GET /campaigns/:id/plan`: how long sending will take at the governor's rate
 * and the messaging limit, and what it will cost from a per-country rate card.
 */
export interface PlanInput {
  eligible: number;
  /** Messages per second the campaign will be sent at. */
  mps: number;
  /** Unique recipients the portfolio may still reach in the moving 24 h; null = unlimited. */
  messagingLimitRemaining: number | null;
  messagingLimitPerDay: number | null;
}

export interface PlanEstimate {
  sendSeconds: number;
  /** Recipients beyond what the messaging limit allows now; they wait for the 24 h window. */
  heldByMessagingLimit: number;
  /** Whole days the messaging limit stretches the campaign over (0 when it fits now). */
  extraDaysForMessagingLimit: number;
  etaSeconds: number;
}

export function estimatePlan(p: PlanInput): PlanEstimate {
  const sendSeconds = p.mps > 0 ? Math.ceil(p.eligible / p.mps) : 0;
  if (p.messagingLimitRemaining === null || p.messagingLimitPerDay === null) {
    return {
      sendSeconds,
      heldByMessagingLimit: 0,
      extraDaysForMessagingLimit: 0,
      etaSeconds: sendSeconds,
    };
  }
  const held = Math.max(0, p.eligible - Math.max(0, p.messagingLimitRemaining));
  if (held === 0) {
    return {
      sendSeconds,
      heldByMessagingLimit: 0,
      extraDaysForMessagingLimit: 0,
      etaSeconds: sendSeconds,
    };
  }
  const extraDays = Math.ceil(held / p.messagingLimitPerDay);
  const lastChunk = held - (extraDays - 1) * p.messagingLimitPerDay;
  return {
    sendSeconds,
    heldByMessagingLimit: held,
    extraDaysForMessagingLimit: extraDays,
    etaSeconds: (extraDays - 1) * 86_400 + 86_400 + Math.ceil(lastChunk / Math.max(1, p.mps)),
  };
}

/** Longest matching calling-code prefix of an E.164 number among the rate card's prefixes. */
export function callingCodeOf(phone: string, prefixes: readonly string[]): string | null {
  const digits = toWaId(phone);
  let best: string | null = null;
  for (const p of prefixes) {
    if (digits.startsWith(p) && (!best || p.length > best.length)) {
      best = p;
    }
  }
  return best;
}

/** A rate card row in force (domain/rate-cards.ts): price of one delivered message, major units. */
export type RateCardEntry = Pick<RateCardRow, 'callingCode' | 'currency' | 'price'>;

export interface CostEstimate {
  currency: string | null;
  /** In the currency's major unit. */
  total: number;
  byCountry: Array<{ callingCode: string; recipients: number; cost: number }>;
  unpriced: number;
}

/** Cost of delivering to every eligible recipient, grouped by calling code. */
export function estimateCost(
  recipientsByCallingCode: ReadonlyMap<string | null, number>,
  card: readonly RateCardEntry[],
): CostEstimate {
  const byCode = new Map(card.map((c) => [c.callingCode, c]));
  let total = 0;
  let unpriced = 0;
  const byCountry: CostEstimate['byCountry'] = [];
  const currencies = new Set<string>();
  for (const [code, n] of recipientsByCallingCode) {
    const entry = code ? byCode.get(code) : undefined;
    if (!entry) {
      unpriced += n;
      continue;
    }
    currencies.add(entry.currency);
    const cost = entry.price * n;
    total += cost;
    byCountry.push({
      callingCode: entry.callingCode,
      recipients: n,
      cost: Math.round(cost * 10_000) / 10_000,
    });
  }
  byCountry.sort((a, b) => b.cost - a.cost);
  return {
    currency: currencies.size === 1 ? [...currencies][0]! : currencies.size === 0 ? null : 'MIXED',
    total: Math.round(total * 10_000) / 10_000,
    byCountry,
    unpriced,
  };
}

/** What a schedule missed by more than the grace does (the engine was down). */
export type LatePolicy = 'send' | 'fail';

export function isScheduleMissed(scheduledAt: Date, now: Date, graceMs: number): boolean {
  return now.getTime() - scheduledAt.getTime() > graceMs;
}
