// How fast a process books slots for a number, given how many of them it misses. A slot the
// process reaches too late is not sent (it goes back to the queue): its capacity is lost, and its
// message is claimed, released and claimed again. When a host cannot keep up (five numbers at
// 1,000 mps on two cores: 82 % of slots missed, each message claimed about five times before it
// left, Postgres at a full core), booking at the full rate feeds the overload. The pace backs off
// multiplicatively while most slots are missed and recovers step by step once few are; the
// timeline's gaps go to any other process sending for the number. The few misses a loaded but
// keeping-up host has (under 10 % measured) never slow it.

export interface MissPacePolicy {
  /** Weight of each outcome in the moving share of missed slots. */
  alpha: number;
  /** Back off while more than this share of slots is missed … */
  backOffAbove: number;
  /** … and recover while fewer than this share is. */
  recoverBelow: number;
  /** Pace × this on a back-off. */
  decreaseFactor: number;
  /** Pace + this on a recovery step. */
  increaseStep: number;
  minPace: number;
  /** At most one change per this long (time for the last one to show in the outcomes). */
  stepMs: number;
}

export const DEFAULT_MISS_PACE_POLICY: MissPacePolicy = {
  alpha: 0.01,
  backOffAbove: 0.3,
  recoverBelow: 0.1,
  decreaseFactor: 0.7,
  increaseStep: 0.1,
  minPace: 0.05,
  stepMs: 1000,
};

/** The share of a number's slots this process books, from the slots it recently missed. */
export class MissPace {
  private missedShare = 0;
  private current = 1;
  private changedAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly policy: MissPacePolicy = DEFAULT_MISS_PACE_POLICY) {}

  /** One slot's fate: its request left, or it was missed. */
  observe(missed: boolean): void {
    this.missedShare += this.policy.alpha * ((missed ? 1 : 0) - this.missedShare);
  }

  /** The pace (0 < pace ≤ 1) to book the next chunk at. */
  pace(nowMs: number): number {
    const p = this.policy;
    if (nowMs - this.changedAtMs >= p.stepMs) {
      if (this.missedShare > p.backOffAbove && this.current > p.minPace) {
        this.current = Math.max(p.minPace, this.current * p.decreaseFactor);
        this.changedAtMs = nowMs;
      } else if (this.missedShare < p.recoverBelow && this.current < 1) {
        this.current = Math.min(1, this.current + p.increaseStep);
        this.changedAtMs = nowMs;
      }
    }
    return this.current;
  }
}

/**
 * How long to wait, beyond the usual, before booking the chunk after one whose slots span
 * `spanMs`: at pace p the chunk's span is followed by a gap of span × (1/p − 1).
 */
export function paceGapMs(spanMs: number, pace: number): number {
  return pace >= 1 ? 0 : spanMs * (1 / pace - 1);
}
