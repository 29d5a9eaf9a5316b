import { ValidateIf } from 'class-validator';

/**
 * Optional, but never null: the field may be left out, and when it is there the validators after
 * this one apply (class-validator's IsOptional also lets null through, which a NOT NULL column or
 * a CHECK then refuses with a 500).
 */
export function AbsentOr(): PropertyDecorator {
  return ValidateIf((_o: object, value: unknown) => value !== undefined);
}
