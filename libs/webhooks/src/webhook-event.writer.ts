import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookIngestBusyError } from './webhooks.errors';

export interface WebhookWriterLimits {
  /** Concurrent INSERT transactions (each one pool connection). */
  maxConcurrentWrites: number;
  /** Payloads per INSERT. */
  maxBatchRows: number;
  /** Bytes per INSERT. */
  maxBatchBytes: number;
  /** Payloads allowed to wait for a write before new ones are refused with 503. */
  maxPendingRows: number;
  maxPendingBytes: number;
}

export const DEFAULT_WRITER_LIMITS: WebhookWriterLimits = {
  maxConcurrentWrites: 4,
  maxBatchRows: 1000,
  maxBatchBytes: 16 * 1024 * 1024,
  maxPendingRows: 50_000,
  maxPendingBytes: 256 * 1024 * 1024,
};

interface Waiting {
  body: Buffer;
  requestId: string | null;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Group commit for webhook payloads. Each request waits until its payload is committed (so the
 * 200 is only sent for what is durable), but requests that arrive while a write is in flight are
 * collected and written together by the next one: one multi-row INSERT and one fsync for many
 * requests. Idle: a payload is written at once (no added latency). Busy: batches grow by
 * themselves up to `maxBatchRows`, bounded in memory by `maxPending*`.
 */
@Injectable()
export class WebhookEventWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEventWriter.name);
  private queue: Waiting[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  readonly limits: WebhookWriterLimits;

  constructor(private readonly events: WebhookEventsRepository) {
    this.limits = DEFAULT_WRITER_LIMITS;
  }

  /** Resolves once the payload is committed; rejects when it could not be (the caller answers 5xx). */
  append(body: Buffer, requestId: string | null): Promise<void> {
    if (
      this.queue.length >= this.limits.maxPendingRows ||
      this.queuedBytes + body.length > this.limits.maxPendingBytes
    ) {
      return Promise.reject(new WebhookIngestBusyError());
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ body, requestId, resolve, reject });
      this.queuedBytes += body.length;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxConcurrentWrites && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) {
          this.idle?.();
        }
      });
    }
  }

  private take(): Waiting[] {
    let rows = 0;
    let bytes = 0;
    while (
      rows < this.queue.length &&
      rows < this.limits.maxBatchRows &&
      (rows === 0 || bytes + (this.queue[rows]?.body.length ?? 0) <= this.limits.maxBatchBytes)
    ) {
      bytes += this.queue[rows]?.body.length ?? 0;
      rows += 1;
    }
    const batch = this.queue.slice(0, rows);
    this.queue = this.queue.slice(rows);
    this.queuedBytes -= bytes;
    return batch;
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      await this.events.insertMany(
        batch.map((w) => w.body),
        batch.map((w) => w.requestId),
      );
    } catch (e) {
      this.logger.error({
        message: 'webhook payloads could not be stored; Meta will retry them',
        count: batch.length,
        error: e instanceof Error ? e.message : String(e),
      });
      batch.forEach((w) => w.reject(e));
      return;
    }
    batch.forEach((w) => w.resolve());
  }

  /** Runs after the HTTP server stopped taking requests: whatever is queued is still written. */
  async onApplicationShutdown(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.idle = resolve;
    });
  }
}
