import { Injectable } from '@nestjs/common';
import { Database, queryRows } from '@app/db';

/** Deltas folded per transaction, and transactions per run (a backlog drains over runs). */
export const FOLD_BATCH = 20_000;
const MAX_FOLDS_PER_RUN = 10;

/**
 * Moves the campaigns' count deltas into their counters rows (migration CounterDeltas). Readers
 * add the deltas not yet folded (view campaign_counts), so this only keeps that table short; one
 * folder at a time in the database (others find the lock taken and fold nothing).
 */
@Injectable()
export class CounterDeltas {
  constructor(private readonly db: Database) {}

  /** Folds until the deltas are drained or MAX_FOLDS_PER_RUN batches went; returns how many. */
  async fold(batch = FOLD_BATCH): Promise<number> {
    let folded = 0;
    for (let i = 0; i < MAX_FOLDS_PER_RUN; i++) {
      const [r] = await queryRows<{ n: number }>(
        this.db,
        `SELECT fold_campaign_counter_deltas($1) AS n`,
        [batch],
      );
      const n = r?.n ?? 0;
      folded += n;
      if (n < batch) {
        return folded;
      }
    }
    return folded;
  }
}
