import { QueryFailedError } from 'typeorm';

interface PgDriverError {
  code?: string;
  constraint?: string;
}

function driverError(e: unknown): PgDriverError | null {
  if (e instanceof QueryFailedError) {
    return e.driverError as PgDriverError;
  }
  if (typeof e === 'object' && e !== null && 'code' in e) {
    return e as PgDriverError;
  }
  return null;
}

/** True when `e` is a unique-violation, optionally of the named constraint. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const d = driverError(e);
  return d?.code === '23505' && (constraint === undefined || d.constraint === constraint);
}

export function isForeignKeyViolation(e: unknown): boolean {
  return driverError(e)?.code === '23503';
}
