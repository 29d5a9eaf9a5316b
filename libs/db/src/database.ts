import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from './query-rows';

/**
 * The one handle SQL runs on: the pool, or an open transaction. Repositories take it as their
 * first argument when the caller owns a transaction, and default to the pool otherwise.
 * (TypeORM is kept knowingly as the pool and the migration runner; no entities, no query builder.)
 */
export interface Sql {
  query<T = unknown>(text: string, params?: unknown[]): Promise<T>;
}

/** An open transaction: SQL, plus work to run once it has committed (never if it rolls back). */
export interface Tx extends Sql {
  onCommit(work: () => Promise<unknown>): void;
}

/** Deadlock or serialization failure: the transaction did nothing wrong; run it again. */
export function isRetryableTxError(e: unknown): boolean {
  const code =
    (e as { driverError?: { code?: string } }).driverError?.code ?? (e as { code?: string }).code;
  return code === '40P01' || code === '40001';
}

@Injectable()
export class Database implements Sql {
  constructor(private readonly ds: DataSource) {}

  query<T = unknown>(text: string, params?: unknown[]): Promise<T> {
    return this.ds.query<T>(text, params);
  }

  rows<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return queryRows<T>(this, text, params);
  }

  /**
   * Runs `work` in one transaction. With `retries`, a deadlock or serialization failure runs it
   * again from the start (work must then be safe to repeat: it only reads and writes through `tx`).
   */
  async tx<T>(work: (tx: Tx) => Promise<T>, opts: { retries?: number } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const after: Array<() => Promise<unknown>> = [];
      try {
        const out = await this.ds.transaction((em: EntityManager) =>
          work({
            query: <R = unknown>(text: string, params?: unknown[]) => em.query<R>(text, params),
            onCommit: (w) => void after.push(w),
          }),
        );
        for (const w of after) {
          await w();
        }
        return out;
      } catch (e) {
        if (attempt >= (opts.retries ?? 0) || !isRetryableTxError(e)) {
          throw e;
        }
      }
    }
  }
}
