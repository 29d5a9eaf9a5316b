import { DomainError } from '@app/common';
import { retryAfterSeconds } from './domain/rate-limit';

export type AccountsErrorCode =
  | 'BUSINESS_ACCOUNT_NOT_FOUND'
  | 'PHONE_NUMBER_NOT_FOUND'
  | 'API_KEY_NOT_FOUND'
  | 'GRAPH_AUTH_FAILED'
  | 'GRAPH_REQUEST_FAILED'
  | 'GRAPH_REQUEST_REFUSED'
  | 'GRAPH_RATE_LIMITED'
  | 'ROLE_FORBIDDEN'
  | 'API_RATE_LIMITED';

export class BusinessAccountNotFoundError extends DomainError<AccountsErrorCode> {
  readonly code = 'BUSINESS_ACCOUNT_NOT_FOUND';
  constructor(id: string) {
    super(`business account ${id} not found`);
  }
}

export class PhoneNumberNotFoundError extends DomainError<AccountsErrorCode> {
  readonly code = 'PHONE_NUMBER_NOT_FOUND';
  constructor(id: string) {
    super(`phone number ${id} not found`);
  }
}

export class ApiKeyNotFoundError extends DomainError<AccountsErrorCode> {
  readonly code = 'API_KEY_NOT_FOUND';
  constructor(id: string) {
    super(`API key ${id} not found`);
  }
}

/** Meta (or the sandbox) refused the access token for this account. */
export class GraphAuthFailedError extends DomainError<AccountsErrorCode> {
  readonly code = 'GRAPH_AUTH_FAILED';
}

/** Meta (or the sandbox) could not be reached, or failed on its side. */
export class GraphRequestFailedError extends DomainError<AccountsErrorCode> {
  readonly code = 'GRAPH_REQUEST_FAILED';
}

/** Meta answered that the request itself is wrong (an unknown WABA id, say): the caller's to fix. */
export class GraphRequestRefusedError extends DomainError<AccountsErrorCode> {
  readonly code = 'GRAPH_REQUEST_REFUSED';
}

/** The calling key's role does not allow the call (`accessFor` / `mayAccess`). */
export class RoleForbiddenError extends DomainError<AccountsErrorCode> {
  readonly code = 'ROLE_FORBIDDEN';
  constructor(role: string, needs: string, method: string, route: string) {
    super(`a ${role} key may not call ${method} ${route} (it needs ${needs} access)`, {
      role,
      needs,
    });
  }
}

/** The key spent its requests of this minute (API_RATE_LIMIT_PER_MINUTE). */
export class ApiRateLimitedError extends DomainError<AccountsErrorCode> {
  readonly code = 'API_RATE_LIMITED';
  constructor(
    limit: number,
    readonly retryAfterMs: number,
  ) {
    super(
      `this API key made more than ${limit} requests this minute; retry in ${retryAfterSeconds(retryAfterMs)} s`,
      { limitPerMinute: limit, retryAfterMs },
    );
  }
}
