export interface GroupCommitLimits {
  /** Writes in flight at once (each one pool connection). */
  maxConcurrentWrites: number;
  /** Items per write. */
  maxBatchItems: number;
  /** Summed weight (e.g. bytes) per write; a single heavier item still goes alone. */
  maxBatchWeight: number;
  /** Items allowed to wait for a write before `hasRoomFor` says no. */
  maxPendingItems: number;
  maxPendingWeight: number;
}

interface Waiting<T> {
  item: T;
  weight: number;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Group commit: each caller waits until its item is written, but items that arrive while a
 * write is in flight are collected and written together by the next one — one statement and
 * one fsync for many callers. Idle: an item is written at once (no added latency). Busy: batches
 * grow by themselves up to the limits, and memory stays bounded by `maxPending*`.
 */
export class GroupCommit<T> {
  private queue: Waiting<T>[] = [];
  private queuedWeight = 0;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    readonly limits: GroupCommitLimits,
    private readonly weigh: (item: T) => number = () => 1,
  ) {}

  hasRoomFor(item: T): boolean {
    return (
      this.queue.length < this.limits.maxPendingItems &&
      this.queuedWeight + this.weigh(item) <= this.limits.maxPendingWeight
    );
  }

  /** Resolves once the item is written; rejects with the write's error. */
  append(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const weight = this.weigh(item);
      this.queue.push({ item, weight, resolve, reject });
      this.queuedWeight += weight;
      this.pump();
    });
  }

  /** Resolves when nothing is queued or being written (for shutdown). */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxConcurrentWrites && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) {
          this.idle.splice(0).forEach((done) => done());
        }
      });
    }
  }

  private take(): Waiting<T>[] {
    let n = 0;
    let weight = 0;
    while (
      n < this.queue.length &&
      n < this.limits.maxBatchItems &&
      (n === 0 || weight + (this.queue[n]?.weight ?? 0) <= this.limits.maxBatchWeight)
    ) {
      weight += this.queue[n]?.weight ?? 0;
      n += 1;
    }
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    this.queuedWeight -= weight;
    return batch;
  }

  private async run(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.write(batch.map((w) => w.item));
    } catch (e) {
      batch.forEach((w) => w.reject(e));
      return;
    }
    batch.forEach((w) => w.resolve());
  }
}
