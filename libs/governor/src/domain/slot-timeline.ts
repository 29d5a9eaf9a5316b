// Per-number send slots on a shared timeline (GCRA without burst). Each granted send owns one slot;
// slots are spaced by a fixed interval, so the count in ANY window of `w` ms is at most
// floor(w / interval) + 1. Times are integer microseconds so that TypeScript and the Redis Lua
// script (doubles on both sides) compute exactly the same values.

export const US_PER_MS = 1000;

export interface TimelinePolicy {
  /**
   * Fraction of the limit left unused (0 < headroom < 0.5). It absorbs network jitter and clock
   * skew between processes: at 2 %, a slot's request may arrive up to ~20 ms early or late
   * relative to its neighbours before any one-second window at Meta can see more than the limit.
   */
  headroom: number;
  /**
   * Extra headroom per 1,000 mps of limit. The jitter a window tolerates is headroom × 1 s, but
   * at high rates more requests share that jitter: measured on a loaded 2-core machine, 2 % let
   * 1,005 requests into one second at 1,000 mps, while 80 mps needs its 2 % to stay ≥ 78/s.
   */
  headroomPer1000Mps: number;
  /** How far ahead of now a slot may be granted; bounds what a crashed process can waste. */
  horizonMs: number;
}

export const DEFAULT_TIMELINE_POLICY: TimelinePolicy = {
  headroom: 0.02,
  headroomPer1000Mps: 0.02,
  horizonMs: 1000,
};

/** The headroom used for a number with this limit (4 % at 1,000 mps, ≈ 2.2 % at 80 mps). */
export function headroomFor(policy: TimelinePolicy, limitMps: number): number {
  return Math.min(0.45, policy.headroom + (policy.headroomPer1000Mps * limitMps) / 1000);
}

/** Spacing between two slots, rounded up so the spaced rate never exceeds the target. */
export function slotIntervalUs(rateMilliMps: number, headroom: number): number {
  return Math.ceil(1e9 / (rateMilliMps * (1 - headroom)));
}

export interface TimelineReservation {
  /** Slots granted (0..want). */
  granted: number;
  /** Time of the first granted slot (or of the first free slot when nothing was granted). */
  firstUs: number;
  intervalUs: number;
  /** The timeline's next free slot after this reservation. */
  tatUs: number;
}

/**
 * Reserves up to `want` consecutive slots starting at the later of now and the next free slot
 * (`tatUs`, null for an unused timeline), never further ahead than the horizon.
 */
export function reserveOnTimeline(
  tatUs: number | null,
  nowUs: number,
  intervalUs: number,
  want: number,
  horizonUs: number,
): TimelineReservation {
  const first = Math.max(tatUs ?? 0, nowUs);
  const room = nowUs + horizonUs - first;
  const granted = room >= 0 ? Math.min(want, Math.floor(room / intervalUs) + 1) : 0;
  return { granted, firstUs: first, intervalUs, tatUs: first + granted * intervalUs };
}

/** When a caller refused slots (or wanting more) should ask again: the horizon has moved on. */
export function nextReserveAtUs(tatUs: number, nowUs: number, horizonUs: number): number {
  return Math.max(nowUs, tatUs - horizonUs);
}

/** Slot times in epoch milliseconds (fractional), ascending. */
export function slotTimesMs(firstUs: number, intervalUs: number, granted: number): number[] {
  const out = new Array<number>(granted);
  for (let i = 0; i < granted; i++) {
    out[i] = (firstUs + i * intervalUs) / US_PER_MS;
  }
  return out;
}

/**
 * The largest number of events inside any closed window [t, t + windowMs] — the check Meta's
 * per-second throughput limit is about. `times` need not be sorted.
 */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) > windowMs) {
      lo++;
    }
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}
