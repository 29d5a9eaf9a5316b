// A/B tests of a campaign: the test share split exactly by weight, and the winner decided by a
// two-proportion z-test. Pure.
import { twoProportionPValue } from '@app/common';

export { twoProportionPValue };

export type AbMetric = 'read' | 'click' | 'conversion';
export const AB_METRICS: readonly AbMetric[] = ['read', 'click', 'conversion'];

export interface AbTest {
  /** Share of the eligible target that is split between the variants (100: no rest). */
  testPercent: number;
  metric: AbMetric;
  decideAfterMinutes: number;
  /** Delivered messages each variant needs before the winner can be decided early. */
  minPerVariant: number;
}

export interface VariantWeight {
  key: string;
  weight: number;
}

/** Recipients of the test share among `eligible` (the rest waits for the winner). */
export function testSize(eligible: number, testPercent: number): number {
  return Math.round((eligible * testPercent) / 100);
}

/**
 * The variant of the recipient ranked `rank` (0-based, in a random but reproducible order): the
 * weights repeat as a pattern (2:1 → A A B A A B …), so any prefix is split as close to the
 * weights as whole recipients allow.
 */
export function variantOfRank(rank: number, variants: readonly VariantWeight[]): string {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let at = rank % total;
  for (const v of variants) {
    if (at < v.weight) {
      return v.key;
    }
    at -= v.weight;
  }
  throw new Error('unreachable: weights are positive');
}

export interface VariantResult {
  key: string;
  /** Order in the campaign's list (0: the first, which wins when nothing is significant). */
  position: number;
  delivered: number;
  /** Delivered messages with the metric's outcome (read, clicked or converted). */
  successes: number;
  /** Test messages not settled yet (pending, sending, in doubt). */
  unsettled: number;
}

export type Decision =
  | { ready: false; why: string }
  | {
      ready: true;
      winner: string;
      /** The best variant against the runner-up. */
      pValue: number | null;
      significant: boolean;
    };

const ALPHA = 0.05;

const rate = (v: VariantResult): number => (v.delivered > 0 ? v.successes / v.delivered : 0);

/**
 * After `decideAfterMinutes`, once each variant has `minPerVariant` delivered (or the test share
 * has nothing left to settle): the variant with the best rate wins if its lead over the runner-up
 * is significant at 95 %, else the first listed. Ties go to the earlier variant.
 */
export function decideWinner(
  results: readonly VariantResult[],
  test: AbTest,
  elapsedMs: number,
): Decision {
  if (elapsedMs < test.decideAfterMinutes * 60_000) {
    return { ready: false, why: 'decide time not reached' };
  }
  const enough = results.every((v) => v.delivered >= test.minPerVariant);
  const settled = results.every((v) => v.unsettled === 0);
  if (!enough && !settled) {
    return { ready: false, why: `waiting for ${test.minPerVariant} delivered per variant` };
  }
  const ranked = [...results].sort((a, b) => rate(b) - rate(a) || a.position - b.position);
  const best = ranked[0] as VariantResult;
  const runnerUp = ranked[1];
  const first = [...results].sort((a, b) => a.position - b.position)[0] as VariantResult;
  const pValue = runnerUp
    ? twoProportionPValue(best.successes, best.delivered, runnerUp.successes, runnerUp.delivered)
    : null;
  const significant =
    pValue !== null && pValue < ALPHA && rate(best) > rate(runnerUp as VariantResult);
  return { ready: true, winner: significant ? best.key : first.key, pValue, significant };
}
