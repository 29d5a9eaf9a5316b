// The four places where webhook ingestion hands its results to the rest of the engine. Each
// consumer implements one interface and is registered with `WebhooksModule.forRoot({ handlers })`.
//
// Contract for every handler:
// - It is called inside the worker's batch transaction, with that transaction's EntityManager.
//   Write through `em` only: the items, the consumer's writes and the "processed" mark of the raw
//   events commit together or not at all, so a crash or redelivery never applies anything twice.
// - Each item is delivered once per commit: status transitions are computed from locked rows,
//   inbound messages and other items are de-duplicated by key before they reach you.
// - Throwing rolls the whole batch back; the worker then retries the events one by one and parks
//   only the one that keeps failing (with backoff), so a bug cannot block the rest.
// - Items come in batches of up to thousands: use set-based SQL (unnest), not a query per item.
import type { EntityManager } from 'typeorm';
import type { StatusTransition } from './domain/message-status';
import type { InboundMessage, TemplateEvent, UserPreferenceEvent } from './domain/webhook-payload';

/**
 * Campaigns: update the campaign message found by `wamid` (or by `callbackData`, or by
 * `(phoneNumberId, recipientId)` when the send answer was lost) and the live counters. Count with
 * `previousStatus` → `status`; a transition for an unknown wamid can be ignored safely because the
 * state stays in `message_statuses` (see `MessageStatusesService.findByWamids`) for when the message appears.
 */
export interface StatusTransitionsHandler {
  onTransitions(em: EntityManager, transitions: readonly StatusTransition[]): Promise<void>;
}

/**
 * Consents (opt-outs: `isOptOut`, with `raw` as proof) and campaigns (clicks: `isButtonClick`,
 * attributed through `contextWamid`). Every inbound message is delivered, not only the flagged ones.
 */
export interface InboundMessagesHandler {
  onInbound(em: EntityManager, messages: readonly InboundMessage[]): Promise<void>;
}

/** Templates: status (APPROVED, PAUSED …), quality score and category changes. */
export interface TemplateEventsHandler {
  onTemplateEvents(em: EntityManager, events: readonly TemplateEvent[]): Promise<void>;
}

/** Consents: the user's own marketing `stop` / `resume` from WhatsApp settings (authoritative). */
export interface UserPreferencesHandler {
  onUserPreferences(em: EntityManager, events: readonly UserPreferenceEvent[]): Promise<void>;
}

export const STATUS_TRANSITIONS_HANDLER = Symbol('STATUS_TRANSITIONS_HANDLER');
export const INBOUND_MESSAGES_HANDLER = Symbol('INBOUND_MESSAGES_HANDLER');
export const TEMPLATE_EVENTS_HANDLER = Symbol('TEMPLATE_EVENTS_HANDLER');
export const USER_PREFERENCES_HANDLER = Symbol('USER_PREFERENCES_HANDLER');
