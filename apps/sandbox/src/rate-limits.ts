/**
 * Exact per-number throughput limit: a message is accepted at time t only if fewer than `limit`
 * messages were accepted in (t - windowMs, t]. A ring buffer of the last `limit` acceptance times
 * answers that in O(1): the oldest of them must have left the window.
 */
export class SlidingWindowLimiter {
  private ring: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    private limit: number,
    private readonly windowMs = 1000,
  ) {
    this.ring = new Float64Array(Math.max(1, limit));
  }

  get capacity(): number {
    return this.limit;
  }

  /** Changes the limit, keeping the most recent acceptances. */
  resize(limit: number): void {
    const kept: number[] = [];
    for (let i = 0; i < this.size; i++) {
      kept.push(this.ring[(this.head + i) % this.ring.length] as number);
    }
    this.limit = limit;
    this.ring = new Float64Array(Math.max(1, limit));
    this.head = 0;
    this.size = 0;
    for (const t of kept.slice(-limit)) {
      this.push(t);
    }
  }

  wouldAccept(nowMs: number): boolean {
    if (this.size < this.limit) {
      return true;
    }
    const oldest = this.ring[this.head] as number;
    return oldest <= nowMs - this.windowMs;
  }

  /** Records an acceptance; call only after `wouldAccept` said yes. */
  push(nowMs: number): void {
    if (this.size < this.limit) {
      this.ring[(this.head + this.size) % this.ring.length] = nowMs;
      this.size++;
    } else {
      this.ring[this.head] = nowMs;
      this.head = (this.head + 1) % this.ring.length;
    }
  }

  tryAcquire(nowMs: number): boolean {
    if (!this.wouldAccept(nowMs)) {
      return false;
    }
    this.push(nowMs);
    return true;
  }
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * Meta's pair rate limit (§6.2): one message per `intervalMs` to the same recipient, with bursts of
 * up to `burst` that borrow from future quota — a token bucket per (number, recipient). Full
 * buckets are forgotten by `sweep`, so memory follows the recent send rate, not the audience size.
 */
export class PairRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private burst: number,
    private intervalMs: number,
  ) {}

  configure(burst: number, intervalMs: number): void {
    this.burst = burst;
    this.intervalMs = intervalMs;
  }

  get tracked(): number {
    return this.buckets.size;
  }

  private level(b: Bucket, nowMs: number): number {
    return Math.min(this.burst, b.tokens + Math.max(0, nowMs - b.atMs) / this.intervalMs);
  }

  wouldAccept(key: string, nowMs: number): boolean {
    const b = this.buckets.get(key);
    return !b || this.level(b, nowMs) >= 1;
  }

  take(key: string, nowMs: number): void {
    const b = this.buckets.get(key);
    const tokens = b ? this.level(b, nowMs) : this.burst;
    this.buckets.set(key, { tokens: tokens - 1, atMs: nowMs });
  }

  /** Drops buckets that have refilled completely (they behave exactly like absent ones). */
  sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (this.level(b, nowMs) >= this.burst) {
        this.buckets.delete(key);
      }
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}

/**
 * Request arrivals of one number: the maximum seen in any window of `windowMs` (exact: the maximum
 * over all windows is reached by a window ending at an arrival, so a deque of the arrivals inside
 * the current window suffices) and counts per whole second for the last `seconds` seconds.
 */
export class ArrivalCounter {
  private times: Float64Array;
  private head = 0;
  private size = 0;
  maxInWindow = 0;
  total = 0;
  private readonly perSecond: Array<{ second: number; count: number }>;

  constructor(
    private readonly windowMs = 1000,
    private readonly seconds = 60,
    initialCapacity = 1024,
  ) {
    this.times = new Float64Array(initialCapacity);
    this.perSecond = Array.from({ length: seconds }, () => ({ second: -1, count: 0 }));
  }

  record(nowMs: number): void {
    this.total++;
    while (this.size > 0 && (this.times[this.head] as number) <= nowMs - this.windowMs) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
    if (this.size === this.times.length) {
      const bigger = new Float64Array(this.times.length * 2);
      for (let i = 0; i < this.size; i++) {
        bigger[i] = this.times[(this.head + i) % this.times.length] as number;
      }
      this.times = bigger;
      this.head = 0;
    }
    this.times[(this.head + this.size) % this.times.length] = nowMs;
    this.size++;
    if (this.size > this.maxInWindow) {
      this.maxInWindow = this.size;
    }
    const second = Math.floor(nowMs / 1000);
    const slot = this.perSecond[second % this.seconds] as { second: number; count: number };
    if (slot.second !== second) {
      slot.second = second;
      slot.count = 0;
    }
    slot.count++;
  }

  /** Requests per second over the last `seconds` seconds, oldest first (seconds with none included). */
  series(nowMs: number): Array<{ second: number; count: number }> {
    const now = Math.floor(nowMs / 1000);
    const out: Array<{ second: number; count: number }> = [];
    for (let s = now - this.seconds + 1; s <= now; s++) {
      const slot = this.perSecond[((s % this.seconds) + this.seconds) % this.seconds];
      out.push({ second: s, count: slot && slot.second === s ? slot.count : 0 });
    }
    return out;
  }
}
