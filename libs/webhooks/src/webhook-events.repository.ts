import { Injectable } from '@nestjs/common';
import { Database, queryRows, type Sql } from '@app/db';

export interface ClaimedWebhookEvent {
  id: string;
  body: Buffer;
  attempts: number;
}

export interface ProcessedWebhookEvent {
  id: string;
  malformed: boolean;
  unknown: boolean;
  itemCount: number;
  problems: string | null;
}

/** The raw journal of verified webhook POSTs: appended by the API, drained by the workers. */
@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly db: Database) {}

  /** One multi-row INSERT (one commit) for a whole group of concurrently received payloads. */
  async insertMany(
    bodies: readonly Buffer[],
    requestIds: readonly (string | null)[],
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_events (body, request_id)
       SELECT b, r FROM unnest($1::bytea[], $2::text[]) AS t(b, r)`,
      [bodies, requestIds],
    );
  }

  /**
   * Locks the oldest unprocessed events that no other worker holds. The lock lives as long as
   * the caller's transaction: a worker that dies releases its claim and another one retries it.
   */
  async claim(tx: Sql, limit: number): Promise<ClaimedWebhookEvent[]> {
    return queryRows<ClaimedWebhookEvent>(
      tx,
      `SELECT id::text AS id, body, attempts FROM webhook_events
       WHERE processed_at IS NULL AND (retry_at IS NULL OR retry_at <= now())
       ORDER BY id LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Claims given events (the one-by-one retry of a batch that failed as a whole). */
  async claimIds(tx: Sql, ids: readonly string[]): Promise<ClaimedWebhookEvent[]> {
    return queryRows<ClaimedWebhookEvent>(
      tx,
      `SELECT id::text AS id, body, attempts FROM webhook_events
       WHERE id = ANY($1::bigint[]) AND processed_at IS NULL
       ORDER BY id
       FOR UPDATE SKIP LOCKED`,
      [ids],
    );
  }

  async markProcessed(tx: Sql, events: readonly ProcessedWebhookEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    await tx.query(
      `UPDATE webhook_events w SET
         processed_at = now(), attempts = w.attempts + 1, retry_at = NULL,
         malformed = t.malformed, unknown = t.unknown, item_count = t.item_count, error = t.error
       FROM unnest($1::bigint[], $2::bool[], $3::bool[], $4::int[], $5::text[])
         AS t(id, malformed, unknown, item_count, error)
       WHERE w.id = t.id`,
      [
        events.map((e) => e.id),
        events.map((e) => e.malformed),
        events.map((e) => e.unknown),
        events.map((e) => e.itemCount),
        events.map((e) => e.problems),
      ],
    );
  }

  /** Parks an event that failed on its own: counted, explained, retried after `retryAt`. */
  async recordFailure(id: string, error: string, retryAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE webhook_events SET attempts = attempts + 1, error = $2, retry_at = $3
       WHERE id = $1 AND processed_at IS NULL`,
      [id, error.slice(0, 2000), retryAt],
    );
  }

  /**
   * Deletes up to `limit` events processed before `before` (never an unprocessed or flagged one:
   * malformed and unknown payloads are kept for inspection). Returns how many went.
   */
  async pruneProcessed(before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `DELETE FROM webhook_events WHERE id IN (
         SELECT id FROM webhook_events
          WHERE processed_at IS NOT NULL AND processed_at < $1 AND NOT malformed AND NOT unknown
          ORDER BY id LIMIT $2)
       RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }

  async countPending(): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      this.db,
      `SELECT count(*)::text AS n FROM webhook_events WHERE processed_at IS NULL`,
    );
    return Number(row?.n ?? 0);
  }
}
