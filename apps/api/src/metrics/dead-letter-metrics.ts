import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { WebhookDeadLetters } from '@app/webhooks';
import { HttpMetrics } from './http-metrics';

/** `mmlite_webhook_events_dead`: dead letters waiting for a manual retry, read at each scrape. */
@Injectable()
export class DeadLetterMetrics implements OnModuleInit {
  private readonly logger = new Logger(DeadLetterMetrics.name);

  constructor(
    private readonly metrics: HttpMetrics,
    private readonly deadLetters: WebhookDeadLetters,
  ) {}

  onModuleInit(): void {
    const deadLetters = this.deadLetters;
    const logger = this.logger;
    new Gauge({
      name: 'mmlite_webhook_events_dead',
      help: 'Webhook events that failed WEBHOOK_MAX_ATTEMPTS times and wait for a manual retry',
      registers: [this.metrics.registry],
      async collect() {
        try {
          this.set(await deadLetters.countDead());
        } catch (e) {
          // The scrape still answers (with the last value); /health tells that Postgres is down.
          logger.warn({ message: 'dead letters not counted', error: String(e) });
        }
      },
    });
  }
}
