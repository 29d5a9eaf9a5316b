// Webhook ingestion from Meta: signature check, the durable group-committed journal, the parser,
// and the dispatcher that applies each batch through the libraries that own its items.
export * from './webhooks.module';
export * from './webhooks.errors';
export * from './webhook-event.writer';
export * from './webhook-ingest.service';
export * from './webhook-events.service';
export * from './webhook-dead-letters.service';
export type { FailedState, FailedWebhookEvent } from './webhook-events.repository';
export * from './webhook-events.listener';
export * from './domain/signature';
export * from './domain/opt-out';
export * from './domain/webhook-payload';
