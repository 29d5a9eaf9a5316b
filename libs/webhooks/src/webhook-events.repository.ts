import { Injectable } from '@nestjs/common';
import { Database, queryRows, type Sql } from '@app/db';
import type { AfterFailure } from './domain/retry';

export interface ClaimedWebhookEvent {
  id: string;
  body: Buffer;
  attempts: number;
}

/** A webhook event that failed to apply, as an admin sees it. */
export interface FailedWebhookEvent {
  id: string;
  /** `pending`: just retried by hand, not tried again yet. */
  state: FailedState | 'pending';
  receivedAt: Date;
  /** Tries so far (since the last manual retry). */
  attempts: number;
  lastError: string | null;
  retryAt: Date | null;
  deadAt: Date | null;
  /** Size of the payload as Meta sent it. */
  bytes: number;
  wabaIds: string[];
}

/** `dead`: failed WEBHOOK_MAX_ATTEMPTS times, waits for a manual retry; `failing`: will be retried. */
export type FailedState = 'dead' | 'failing';

interface FailedRow {
  id: string;
  received_at: Date;
  attempts: number;
  error: string | null;
  retry_at: Date | null;
  dead_at: Date | null;
  bytes: number;
  waba_ids: string[];
}

const FAILED_COLUMNS = `id::text AS id, received_at, attempts, error, retry_at, dead_at,
  octet_length(body) AS bytes, waba_ids`;

function toFailed(r: FailedRow): FailedWebhookEvent {
  return {
    id: r.id,
    state: r.dead_at ? 'dead' : r.attempts > 0 ? 'failing' : 'pending',
    receivedAt: r.received_at,
    attempts: r.attempts,
    lastError: r.error,
    retryAt: r.retry_at,
    deadAt: r.dead_at,
    bytes: r.bytes,
    wabaIds: r.waba_ids,
  };
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
   * Ordered by the table's id: plain `id` would be the text alias (numbers as text, out of order).
   * Bitmap scans are off for the claim: the planner guesses few pending events (no statistics
   * yet, or taken while the journal was drained) and would read and sort every pending event,
   * bodies included, to keep 500 (42 ms a claim with 30,000 waiting, 6 ms walking the index).
   */
  async claim(tx: Sql, limit: number): Promise<ClaimedWebhookEvent[]> {
    await tx.query(`SET LOCAL enable_bitmapscan = off`);
    const rows = await queryRows<ClaimedWebhookEvent>(
      tx,
      `SELECT id::text AS id, body, attempts FROM webhook_events
       WHERE processed_at IS NULL AND dead_at IS NULL AND (retry_at IS NULL OR retry_at <= now())
       ORDER BY webhook_events.id LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    // Back to the server's setting for the rest of the caller's transaction.
    await tx.query(`SET LOCAL enable_bitmapscan TO DEFAULT`);
    return rows;
  }

  /** Claims given events (the one-by-one retry of a batch that failed as a whole). */
  async claimIds(tx: Sql, ids: readonly string[]): Promise<ClaimedWebhookEvent[]> {
    return queryRows<ClaimedWebhookEvent>(
      tx,
      `SELECT id::text AS id, body, attempts FROM webhook_events
       WHERE id = ANY($1::bigint[]) AND processed_at IS NULL AND dead_at IS NULL
       ORDER BY webhook_events.id
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

  /**
   * Parks an event that failed on its own: counted, explained, and retried after `next.at` or,
   * a dead letter, never again unless asked. Notes whose it is (its WABA ids) for the listing.
   */
  async recordFailure(
    id: string,
    error: string,
    next: AfterFailure,
    wabaIds: readonly string[],
    now: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE webhook_events SET attempts = attempts + 1, error = $2, retry_at = $3, dead_at = $4,
         waba_ids = $5
       WHERE id = $1 AND processed_at IS NULL`,
      [
        id,
        error.slice(0, 2000),
        next.kind === 'retry' ? next.at : null,
        next.kind === 'dead' ? now : null,
        wabaIds,
      ],
    );
  }

  /** Failed events about one of `wabaIds`, oldest first, after the event `afterId`. */
  async listFailed(
    state: FailedState,
    wabaIds: readonly string[],
    limit: number,
    afterId: string | null,
  ): Promise<FailedWebhookEvent[]> {
    const rows = await queryRows<FailedRow>(
      this.db,
      `SELECT ${FAILED_COLUMNS} FROM webhook_events
        WHERE ${state === 'dead' ? 'dead_at IS NOT NULL' : 'processed_at IS NULL AND dead_at IS NULL AND attempts > 0'}
          AND waba_ids && $1::text[] AND ($2::bigint IS NULL OR id > $2)
        ORDER BY webhook_events.id LIMIT $3`,
      [wabaIds, afterId, limit],
    );
    return rows.map(toFailed);
  }

  /**
   * Makes a dead letter about one of `wabaIds` due again at once, with a fresh count of attempts,
   * and wakes the workers. Null when there is no such dead event; `exists` tells whether the
   * event is there but not dead.
   */
  async retryDead(
    id: string,
    wabaIds: readonly string[],
  ): Promise<{ retried: FailedWebhookEvent | null; exists: boolean }> {
    return this.db.tx(async (tx) => {
      const rows = await queryRows<FailedRow>(
        tx,
        `UPDATE webhook_events SET dead_at = NULL, attempts = 0, retry_at = NULL
          WHERE id = $1 AND dead_at IS NOT NULL AND waba_ids && $2::text[]
          RETURNING ${FAILED_COLUMNS}`,
        [id, wabaIds],
      );
      if (rows[0]) {
        await tx.query(`SELECT pg_notify('webhook_events', '')`);
        return { retried: toFailed(rows[0]), exists: true };
      }
      const seen = await queryRows<{ id: string }>(
        tx,
        `SELECT id FROM webhook_events WHERE id = $1 AND waba_ids && $2::text[]`,
        [id, wabaIds],
      );
      return { retried: null, exists: seen.length > 0 };
    });
  }

  async countDead(): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      this.db,
      `SELECT count(*)::text AS n FROM webhook_events WHERE dead_at IS NOT NULL`,
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Deletes up to `limit` events processed before `before` (never an unprocessed or a malformed
   * one: those are kept for inspection; `unknown` ones go too). Returns how many went. Rows another
   * worker's retention is deleting are skipped: neither waits, and both batches stay full.
   */
  async pruneProcessed(before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `DELETE FROM webhook_events WHERE id IN (
         SELECT id FROM webhook_events
          WHERE processed_at IS NOT NULL AND processed_at < $1 AND NOT malformed
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }

  async countPending(): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      this.db,
      `SELECT count(*)::text AS n FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL`,
    );
    return Number(row?.n ?? 0);
  }

  /**
   * How long the oldest event still waiting for its first try has waited, measured on the
   * database's clock: 0 when none waits. Events that failed on their own (parked or dead) do not
   * count: a poison payload must not hold every resend back until it dies.
   */
  async pendingLagMs(): Promise<number> {
    const [row] = await queryRows<{ lag_ms: number }>(
      this.db,
      `SELECT (extract(epoch FROM clock_timestamp() - received_at) * 1000)::float8 AS lag_ms
         FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL AND attempts = 0
        ORDER BY id LIMIT 1`,
    );
    return Math.max(0, row?.lag_ms ?? 0);
  }
}
