import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';

/** ISO-8601 with a date and, when a time is given, seconds or minutes and a zone (or none: UTC). */
const ISO =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A date field: an ISO-8601 string, and nothing else. `true` or a number of milliseconds would
 * otherwise become a Date (1970-01-01…) and reach an append-only ledger.
 */
export function IsoDate(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && ISO.test(value) && !Number.isNaN(Date.parse(value))
        ? new Date(value)
        : value,
    ),
    IsDate({ message: ({ property }) => `${property} must be an ISO-8601 date string` }),
  );
}
