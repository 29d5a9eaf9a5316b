// How many requests one process may have unanswered per phone number. Meta judges a number's
// throughput at arrival, so a request must leave at its booked slot whatever is still unanswered:
// the cap only bounds memory and connections, and must sit well above rate × answer time, or it
// becomes the throughput limit (2 % of the rate held a 200 mps number at 20 msg/s against answers
// of 100–300 ms). A permit is taken when a slot is booked and returned when the answer (or the
// client's timeout) comes, so it covers the booking lead plus the answer time.

export interface InFlightPolicy {
  /** Answer-time percentile assumed before any answer was seen (ms). */
  initialP99Ms: number;
  /** Headroom over rate × (lead + p99). */
  factor: number;
  /** Permits every number gets at least. */
  floor: number;
  /** Answers remembered for the percentile. */
  window: number;
}

export const DEFAULT_IN_FLIGHT_POLICY: InFlightPolicy = {
  initialP99Ms: 1000,
  factor: 1.5,
  floor: 8,
  window: 512,
};

/** Permits for a number: rate × (booking lead + p99 answer time) × factor, within [floor, ceiling]. */
export function inFlightCapacity(
  limitMps: number,
  leadMs: number,
  p99Ms: number,
  ceiling: number,
  policy: InFlightPolicy = DEFAULT_IN_FLIGHT_POLICY,
): number {
  const want = Math.ceil(limitMps * ((leadMs + p99Ms) / 1000) * policy.factor);
  return Math.max(1, Math.min(ceiling, Math.max(policy.floor, want)));
}

/** The 99th percentile (nearest rank) of the last `window` answer times; recomputed lazily. */
export class AnswerTimes {
  private readonly ring: Float64Array;
  private size = 0;
  private head = 0;
  private cached: number | null = null;

  constructor(
    private readonly initialP99Ms: number,
    window: number,
  ) {
    this.ring = new Float64Array(window);
  }

  observe(ms: number): void {
    this.ring[this.head] = ms;
    this.head = (this.head + 1) % this.ring.length;
    this.size = Math.min(this.size + 1, this.ring.length);
    if (this.head % 64 === 0) {
      this.cached = null;
    }
  }

  p99(): number {
    if (this.size < 32) {
      return Math.max(this.initialP99Ms, this.size ? this.max() : 0);
    }
    if (this.cached === null) {
      const sorted = Array.from(this.ring.subarray(0, this.size)).sort((a, b) => a - b);
      this.cached = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0;
    }
    return this.cached;
  }

  private max(): number {
    let m = 0;
    for (let i = 0; i < this.size; i++) {
      m = Math.max(m, this.ring[i] as number);
    }
    return m;
  }
}

/**
 * Counting semaphore whose capacity may change while permits are out: `acquire(n)` resolves with
 * 1..n permits as soon as at least one is free (first come, first served).
 */
export class Permits {
  private used = 0;
  private readonly waiters: Array<{ max: number; resolve: (n: number) => void }> = [];

  constructor(private capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  resize(capacity: number): void {
    this.capacity = capacity;
    this.wake();
  }

  acquire(max: number): Promise<number> {
    const free = this.capacity - this.used;
    if (free > 0 && this.waiters.length === 0) {
      const n = Math.min(max, free);
      this.used += n;
      return Promise.resolve(n);
    }
    return new Promise((resolve) => this.waiters.push({ max, resolve }));
  }

  release(n = 1): void {
    this.used -= n;
    this.wake();
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.used < this.capacity) {
      const w = this.waiters.shift() as { max: number; resolve: (n: number) => void };
      const n = Math.min(w.max, this.capacity - this.used);
      this.used += n;
      w.resolve(n);
    }
  }
}
