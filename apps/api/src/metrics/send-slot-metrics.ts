import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ThroughputGovernor } from '@app/governor';
import { HttpMetrics } from './http-metrics';

/**
 * `mmlite_send_slots_total{phone_number_id, outcome}`: booked send slots whose request left
 * (`left`) or was not sent because its writer reached it past its deadline (`missed`: the slot's
 * capacity is lost; a steady share means the worker's host is too loaded to keep the number's
 * rate). Counted by every worker process in Redis, read at each scrape.
 */
@Injectable()
export class SendSlotMetrics implements OnModuleInit {
  private readonly logger = new Logger(SendSlotMetrics.name);

  constructor(
    private readonly metrics: HttpMetrics,
    private readonly governor: ThroughputGovernor,
  ) {}

  onModuleInit(): void {
    const governor = this.governor;
    const logger = this.logger;
    new Counter({
      name: 'mmlite_send_slots_total',
      help: 'Send slots per number whose request left at its slot (left) or was not sent because it was reached too late (missed)',
      labelNames: ['phone_number_id', 'outcome'],
      registers: [this.metrics.registry],
      async collect() {
        try {
          const counts = await governor.slotCounts();
          this.reset();
          for (const [id, c] of counts) {
            this.inc({ phone_number_id: id, outcome: 'left' }, c.left);
            this.inc({ phone_number_id: id, outcome: 'missed' }, c.missed);
          }
        } catch (e) {
          // The scrape still answers (with the last values); /health tells that Redis is down.
          logger.warn({ message: 'send slots not counted', error: String(e) });
        }
      },
    });
  }
}
