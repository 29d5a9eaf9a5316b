import { DomainError } from '@app/common';

export type WebhooksErrorCode = 'WEBHOOK_INGEST_BUSY';

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
