import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { GroupCommit, type GroupCommitLimits } from '@app/common';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookIngestBusyError } from './webhooks.errors';

/** Bytes are the weight: an INSERT holds at most 16 MB of payloads, 256 MB may wait. */
export const DEFAULT_WRITER_LIMITS: GroupCommitLimits = {
  maxConcurrentWrites: 4,
  maxBatchItems: 1000,
  maxBatchWeight: 16 * 1024 * 1024,
  maxPendingItems: 50_000,
  maxPendingWeight: 256 * 1024 * 1024,
};

interface Payload {
  body: Buffer;
  requestId: string | null;
}

/**
 * Group commit for webhook payloads: each request waits until its payload is committed (so the
 * 200 is only sent for what is durable), and payloads of concurrent requests share one
 * multi-row INSERT. Beyond the pending bounds new payloads are refused with 503 (Meta retries).
 */
@Injectable()
export class WebhookEventWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEventWriter.name);
  private readonly group: GroupCommit<Payload>;

  constructor(private readonly events: WebhookEventsRepository) {
    this.group = new GroupCommit(
      (batch) => this.write(batch),
      DEFAULT_WRITER_LIMITS,
      (p) => p.body.length,
    );
  }

  /** Resolves once the payload is committed; rejects when it could not be (the caller answers 5xx). */
  append(body: Buffer, requestId: string | null): Promise<void> {
    const payload = { body, requestId };
    if (!this.group.hasRoomFor(payload)) {
      return Promise.reject(new WebhookIngestBusyError());
    }
    return this.group.append(payload);
  }

  private async write(batch: Payload[]): Promise<void> {
    try {
      await this.events.insertMany(
        batch.map((p) => p.body),
        batch.map((p) => p.requestId),
      );
    } catch (e) {
      this.logger.error({
        message: 'webhook payloads could not be stored; Meta will retry them',
        count: batch.length,
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  }

  /** Runs after the HTTP server stopped taking requests: whatever is queued is still written. */
  onApplicationShutdown(): Promise<void> {
    return this.group.drained();
  }
}
