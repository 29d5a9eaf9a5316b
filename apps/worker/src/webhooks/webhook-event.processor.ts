import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { WebhookEventsListener, WebhookEventsService } from '@app/webhooks';
import { RepeatingTask } from '../schedule/repeating-task';

/** Idle poll when no notification arrives (the LISTEN connection may be down). */
const IDLE_POLL_MS = 1000;
const ERROR_PAUSE_MS = 1000;
/**
 * After a batch smaller than the batch size, the loop lets the journal fill this long before it
 * claims again, instead of waking on every webhook. Measured in the campaign bench (one number at
 * 1,000 mps, a worker applying only statuses): Postgres 38 % of a core claiming a few events a
 * time, 20 % with the pause. Statuses show up to this much later; a backlog is not slowed.
 */
export const APPLY_COALESCE_MS = 200;
/** Retention runs hourly on every worker; deletes are idempotent, so concurrency is harmless. */
const PRUNE_EVERY_MS = 3600_000;

/**
 * Drains the webhook journal with `workerConcurrency` loops per process. Safe with any number of
 * worker processes: each batch is claimed with FOR UPDATE SKIP LOCKED inside its transaction.
 * A loop sleeps only when it found nothing, and wakes on the journal's NOTIFY.
 */
@Injectable()
export class WebhookEventProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookEventProcessor.name);
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly retention: RepeatingTask;

  constructor(
    private readonly webhooks: WebhookEventsService,
    private readonly listener: WebhookEventsListener,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.retention = new RepeatingTask('webhook-retention', PRUNE_EVERY_MS, () => this.prune());
  }

  onApplicationBootstrap(): void {
    this.retention.start(this.registry);
    this.listener.start();
    for (let i = 0; i < this.config.webhook.workerConcurrency; i++) {
      this.loops.push(this.run());
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const seen = this.listener.generation;
      try {
        const report = await this.webhooks.processNextBatch();
        if (report.failed > 0 || report.malformed > 0 || report.unknown > 0) {
          this.logger.warn({ message: 'webhook batch applied with problems', ...report });
        }
        if (report.events === 0 && report.failed === 0 && seen === this.listener.generation) {
          await this.listener.wait(IDLE_POLL_MS);
        } else if (report.events < this.config.webhook.batchSize && !this.stopping) {
          await sleep(APPLY_COALESCE_MS);
        }
      } catch (e) {
        this.logger.error({
          message: 'webhook batch failed; retrying',
          error: e instanceof Error ? e.message : String(e),
        });
        await this.listener.wait(ERROR_PAUSE_MS);
      }
    }
  }

  async prune(): Promise<number> {
    const retentionMs = this.config.webhook.retentionDays * 86_400_000;
    // Each on its own: one failing (a lock timeout, say) does not skip the other for an hour.
    const [events, metaClicks] = await Promise.all([
      this.webhooks.pruneProcessed(retentionMs).catch((e: unknown) => this.pruneFailed(e)),
      this.webhooks.pruneMetaClicks(retentionMs).catch((e: unknown) => this.pruneFailed(e)),
    ]);
    if (events > 0 || metaClicks > 0) {
      this.logger.log({ message: 'pruned processed webhook events', events, metaClicks });
    }
    return events + metaClicks;
  }

  private pruneFailed(e: unknown): number {
    this.logger.error({
      message: 'retention failed; next hour tries again',
      error: e instanceof Error ? e.message : String(e),
    });
    return 0;
  }

  /** SIGTERM: let the batches in flight commit, take no new ones. */
  async beforeApplicationShutdown(): Promise<void> {
    this.retention.stop(this.registry);
    this.stopping = true;
    this.listener.wakeAll();
    await Promise.all(this.loops);
  }
}
