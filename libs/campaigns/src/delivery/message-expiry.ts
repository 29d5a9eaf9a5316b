import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';
import { Database } from '@app/db';
import { DeliveryRepository } from './delivery.repository';

/** Messages expired per transaction, and transactions per tick (a backlog drains over ticks). */
export const EXPIRY_BATCH = 500;
const MAX_BATCHES_PER_TICK = 20;

/**
 * The expiry tick (MMLITE §1.6): accepted messages whose TTL ran out with no delivered or read
 * status become `expired` (isExpired in domain/message-ttl.ts). Bounded: batches of EXPIRY_BATCH
 * in the lock order of every writer (wamids, then message rows); the counts follow by trigger.
 * Safe on any number of workers: each batch re-checks the rows it locks.
 */
@Injectable()
export class MessageExpiry {
  private readonly logger = new Logger(MessageExpiry.name);

  constructor(
    private readonly db: Database,
    private readonly ledger: DeliveryRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `journalLag`: how far the status journal is behind. A delivered status may sit in it unapplied,
   * so only deadlines older than that lag are judged (asked only when something is due).
   */
  async run(journalLag: () => Promise<number> = () => Promise.resolve(0)): Promise<number> {
    const now = this.clock.now();
    if ((await this.ledger.dueForExpiry(now, 1)).length === 0) {
      return 0;
    }
    const cutoff = new Date(now.getTime() - (await journalLag()));
    let expired = 0;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const due = await this.ledger.dueForExpiry(cutoff, EXPIRY_BATCH);
      if (due.length === 0) {
        break;
      }
      const n = await this.db.tx(
        async (tx) => {
          await this.ledger.lockWamids(
            tx,
            due.map((m) => m.wamid),
          );
          return this.ledger.expire(
            tx,
            due.map((m) => m.id),
            cutoff,
          );
        },
        { retries: 3 },
      );
      expired += n;
      if (n === 0 || due.length < EXPIRY_BATCH) {
        break;
      }
    }
    if (expired > 0) {
      this.logger.log({ message: 'messages expired undelivered (TTL)', expired });
    }
    return expired;
  }
}
