type Queryable = { query<T = unknown>(text: string, params?: unknown[]): Promise<T> };

/**
 * Rows of any statement. TypeORM's Postgres driver answers UPDATE/DELETE … RETURNING with
 * `[rows, affectedCount]` but SELECT/INSERT with `rows`; callers should not have to care.
 */
export async function queryRows<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
