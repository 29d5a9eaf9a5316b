import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Database, type Sql } from '@app/db';
import type { WorkspaceId } from '@app/common';
import { IdempotencyKeyInvalidError, IdempotencyKeyReusedError } from './idempotency.errors';

export interface StoredAnswer<T = unknown> {
  status: number;
  body: T;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** sha256 over the parts that make two requests "the same" (e.g. route params + body). */
export function hashRequest(...parts: Array<string | Buffer>): Buffer {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
    h.update('\0');
  }
  return h.digest();
}

export function assertIdempotencyKey(key: string): void {
  if (!KEY.test(key)) {
    throw new IdempotencyKeyInvalidError();
  }
}

/**
 * Runs work once per (workspace, scope, key). The key row is inserted first inside the work's
 * transaction, so a concurrent duplicate waits on the unique index and then reads the stored answer;
 * if the work fails, the transaction rolls back and the key stays free.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly db: Database) {}

  async once<T>(
    ws: WorkspaceId,
    scope: string,
    key: string,
    requestHash: Buffer,
    work: (tx: Sql) => Promise<StoredAnswer<T>>,
  ): Promise<StoredAnswer<T> & { replayed: boolean }> {
    assertIdempotencyKey(key);
    return this.db.tx(async (tx) => {
      const claimed: unknown[] = await tx.query(
        `INSERT INTO idempotency_keys (workspace_id, scope, key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, $4, 0, 'null') ON CONFLICT DO NOTHING RETURNING 1`,
        [ws, scope, key, requestHash],
      );
      if (claimed.length === 0) {
        const rows: Array<{ request_hash: Buffer; response_status: number; response_body: T }> =
          await tx.query(
            `SELECT request_hash, response_status, response_body FROM idempotency_keys
              WHERE workspace_id = $1 AND scope = $2 AND key = $3`,
            [ws, scope, key],
          );
        const row = rows[0];
        if (!row || !row.request_hash.equals(requestHash)) {
          throw new IdempotencyKeyReusedError(key);
        }
        return { status: row.response_status, body: row.response_body, replayed: true };
      }
      const answer = await work(tx);
      await tx.query(
        `UPDATE idempotency_keys SET response_status = $4, response_body = $5
          WHERE workspace_id = $1 AND scope = $2 AND key = $3`,
        [ws, scope, key, answer.status, JSON.stringify(answer.body)],
      );
      return { ...answer, replayed: false };
    });
  }
}
