// Campaigns: lifecycle and scheduling, the audience snapshot, sends through the throughput
// governor (exactly one accepted send per contact), and the delivery-status ledger with its one
// merge rule, from which every live count and report aggregate is derived.
export * from './campaigns.module';
export * from './campaigns.service';
export * from './campaign-planner';
export * from './use-cases/retry-failed';
export * from './use-cases/ab-test-winner';
export { TrackedLinks, bindingsOf, linkSigningKey } from './links/tracked-links';
export { encodeLinkToken } from './domain/link-token';
export { LinkRedirects, type RedirectAnswer } from './links/link-redirects.service';
export { ClickProjection } from './links/click-projection';
export { AB_METRICS, type AbMetric, type AbTest } from './domain/ab-test';
export { retryClassOf, type RetryClass } from './domain/retry';
export * from './campaign-state.service';
export * from './use-cases/delete-template';
export * from './campaigns.errors';
export * from './campaigns.types';
export * from './campaigns.queue';
export * from './domain/campaign-status';
export * from './domain/counters';
export * from './domain/send-window';
export * from './domain/plan';
export * from './domain/meta-click';
export * from './delivery/domain/delivery-status';
export * from './delivery/delivery.service';
export * from './sending/campaign-sending.module';
export * from './sending/campaign-sender';
export * from './sending/campaign-runner';
export * from './sending/in-doubt.reconciler';
export { MessageExpiry } from './delivery/message-expiry';
export { CounterDeltas } from './delivery/counter-deltas';
export * from './domain/message-ttl';
export * from './domain/rate-cards';
export * from './pricing/rate-cards.service';
export type { RateCardRecord } from './pricing/rate-cards.repository';
