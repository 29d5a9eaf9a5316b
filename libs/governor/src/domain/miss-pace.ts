// How fast a process books slots for a number, given how many of them it misses. A slot the
// process reaches too late is not sent (it goes back to the queue): its capacity is lost, and its
// message is claimed, released and claimed again. When a host cannot keep up (five numbers at
// 1,000 mps on two cores: 82 % of slots missed, each message claimed about five times before it
// left, Postgres at a full core), booking at the full rate feeds the overload. The pace backs off
// multiplicatively while a large share of a step's slots is missed and recovers step by step once
// few are; the timeline's gaps go to any other process sending for the number. Shares are taken
// over whole steps (a second), so the short stalls of a loaded host that keeps up (misses in runs
// of 30–40 ms, 7–10 % of slots over a run measured) never slow it.

export interface MissPacePolicy {
  /** Back off when more than this share of a step's slots was missed … */
  backOffAbove: number;
  /** … recover when less than this share was. */
  recoverBelow: number;
  /** Pace × this on a back-off. */
  decreaseFactor: number;
  /** Pace + this on a recovery step. */
  increaseStep: number;
  minPace: number;
  /** Each decision judges the slots of at least this long (time for the last change to show). */
  stepMs: number;
  /** … and at least this many of them. */
  minSlots: number;
  /** A number without slots for this long starts again at the full pace. */
  idleResetMs: number;
}

export const DEFAULT_MISS_PACE_POLICY: MissPacePolicy = {
  backOffAbove: 0.3,
  recoverBelow: 0.15,
  decreaseFactor: 0.7,
  increaseStep: 0.1,
  minPace: 0.05,
  stepMs: 1000,
  minSlots: 20,
  idleResetMs: 10_000,
};

/** The share of a number's slots this process books, from the slots it recently missed. */
export class MissPace {
  private slots = 0;
  private missed = 0;
  private current = 1;
  private stepStartMs: number | null = null;
  private lastSlotMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly policy: MissPacePolicy = DEFAULT_MISS_PACE_POLICY) {}

  /** One slot's fate at `nowMs`: its request left, or it was missed. */
  observe(missed: boolean, nowMs: number): void {
    if (nowMs - this.lastSlotMs > this.policy.idleResetMs) {
      // An overload long past says nothing about now.
      this.current = 1;
      this.slots = 0;
      this.missed = 0;
      this.stepStartMs = nowMs;
    }
    this.lastSlotMs = nowMs;
    this.stepStartMs ??= nowMs;
    this.slots++;
    if (missed) {
      this.missed++;
    }
  }

  /** The pace (0 < pace ≤ 1) to book the next slots at. */
  pace(nowMs: number): number {
    const p = this.policy;
    if (nowMs - this.lastSlotMs > p.idleResetMs) {
      return 1;
    }
    if (
      this.stepStartMs === null ||
      nowMs - this.stepStartMs < p.stepMs ||
      this.slots < p.minSlots
    ) {
      return this.current;
    }
    const share = this.missed / this.slots;
    if (share > p.backOffAbove) {
      this.current = Math.max(p.minPace, this.current * p.decreaseFactor);
    } else if (share < p.recoverBelow) {
      this.current = Math.min(1, this.current + p.increaseStep);
    }
    this.slots = 0;
    this.missed = 0;
    this.stepStartMs = nowMs;
    return this.current;
  }
}

/**
 * How long to wait, beyond the usual, before booking the slots after ones that span `spanMs`:
 * at pace p they are followed by a gap of span × (1/p − 1).
 */
export function paceGapMs(spanMs: number, pace: number): number {
  return pace >= 1 ? 0 : spanMs * (1 / pace - 1);
}
