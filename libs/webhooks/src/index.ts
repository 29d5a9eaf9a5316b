// Webhook ingestion from Meta: signature check, durable group-committed journal, batch processing
// into forward-only message statuses, and the ports that campaigns, consents and templates implement.
export * from './webhooks.module';
export * from './webhooks.ports';
export * from './webhooks.errors';
export * from './webhook-event.writer';
export * from './webhook-events.service';
export * from './webhook-events.listener';
export * from './message-statuses.service';
export * from './domain/signature';
export * from './domain/message-status';
export * from './domain/opt-out';
export * from './domain/webhook-payload';
