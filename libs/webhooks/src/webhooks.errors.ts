import { DomainError } from '@app/common';

export type WebhooksErrorCode =
  'WEBHOOK_INGEST_BUSY' | 'WEBHOOK_EVENT_NOT_FOUND' | 'WEBHOOK_EVENT_NOT_DEAD';

/**
 * The API holds more unwritten payloads than it allows (the database is slow or down). Answered
 * 503: Meta retries later, which is better than holding unbounded memory or acknowledging a
 * payload we have not stored.
 */
export class WebhookIngestBusyError extends DomainError<WebhooksErrorCode> {
  readonly code = 'WEBHOOK_INGEST_BUSY';
  constructor() {
    super('webhook ingestion is saturated; retry later');
  }
}

export class WebhookEventNotFoundError extends DomainError<WebhooksErrorCode> {
  readonly code = 'WEBHOOK_EVENT_NOT_FOUND';
  constructor(id: string) {
    super(`webhook event ${id} not found among this workspace's failed events`);
  }
}

/** Only a dead letter is retried by hand; a failing event is retried on its own. */
export class WebhookEventNotDeadError extends DomainError<WebhooksErrorCode> {
  readonly code = 'WEBHOOK_EVENT_NOT_DEAD';
  constructor(id: string) {
    super(`webhook event ${id} is not a dead letter; the workers retry it on their own`);
  }
}
