import { DomainError } from '@app/common';

export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_KEY_INVALID';

/** The key was already used for a different request body in this scope. */
export class IdempotencyKeyReusedError extends DomainError<IdempotencyErrorCode> {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(key: string) {
    super(`Idempotency-Key "${key}" was already used with a different request`);
  }
}

export class IdempotencyKeyInvalidError extends DomainError<IdempotencyErrorCode> {
  readonly code = 'IDEMPOTENCY_KEY_INVALID';
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
}
