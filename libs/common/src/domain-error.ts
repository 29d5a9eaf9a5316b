/**
 * Base of every error a library throws on purpose. `code` is a closed, SCREAMING_SNAKE value that
 * the API maps to an HTTP status in one exhaustive table and the worker maps to retry decisions.
 */
export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly code: C;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type CommonErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID_INPUT';

export class NotFoundError extends DomainError<CommonErrorCode> {
  readonly code = 'NOT_FOUND';

  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

export class ConflictError extends DomainError<CommonErrorCode> {
  readonly code = 'CONFLICT';
}

export class InvalidInputError extends DomainError<CommonErrorCode> {
  readonly code = 'INVALID_INPUT';
}
