import { InvalidInputError } from './domain-error';
import { isUuid } from './ids';

/** Year 9999: a forged cursor cannot carry a date Postgres cannot hold. */
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Keyset position of a list ordered by (createdAt, id). Opaque to clients. Tables keep
 * `created_at` as timestamptz(3) so a JS Date round-trips it exactly.
 */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt.toISOString()}|${c.id}`, 'utf8').toString('base64url');
}

/** A cursor from a client: checked as far as the query will use it (400 instead of a SQL error). */
export function decodeCursor(raw: string, isId: (id: string) => boolean = isUuid): Cursor {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const sep = text.indexOf('|');
  const createdAt = new Date(text.slice(0, sep));
  const id = text.slice(sep + 1);
  const t = createdAt.getTime();
  if (sep < 0 || !(t >= 0 && t <= LATEST) || !isId(id)) {
    throw new InvalidInputError('cursor is not valid', { cursor: raw });
  }
  return { createdAt, id };
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says there is more. */
export function toPage<T extends { createdAt: Date; id: string }>(
  rows: T[],
  limit: number,
): Page<T> {
  return toPageBy(rows, limit, encodeCursor);
}

/** `toPage` for a list with its own order: `cursorOf` encodes where the page's last row is. */
export function toPageBy<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
