// The one status rule of the engine (MMLITE §4.3, §4.5). Meta reports each message's fate as a
// stream of status events that arrive in any order, late, twice; the ledger keeps one merged state
// per wamid (`message_statuses`), and a campaign message that has a ledger entry shows exactly the
// ledger's status. Everything here is pure and commutative: the same events give the same state
// whatever order they come in.
import { WEBHOOK_STATUS_VALUES, type WebhookStatusValue } from '@app/graph-contract';

/** What Meta says of a message (its `statuses[].status`). */
export type DeliveryStatus = WebhookStatusValue;

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = WEBHOOK_STATUS_VALUES;

export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/**
 * Where one campaign message is: waiting (`pending`), claimed by a worker (`sending`), requested
 * but Meta's answer was lost (`in_doubt`, settled by its status webhook or, without one, sent
 * again after SEND_RESEND_AFTER_MS), Meta's status once known, accepted but neither delivered nor
 * read by its TTL (`expired`, our inference: see domain/message-ttl.ts), or never sent (`skipped`
 * with a reason, `cancelled`).
 */
export const MESSAGE_STATUSES = [
  'pending',
  'sending',
  'in_doubt',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
  'cancelled',
  'expired',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The stages whose first timestamp the ledger keeps in a column of its own. */
export type DeliveryStage = 'sent' | 'delivered' | 'read' | 'failed';

/**
 * sent < delivered < read < played < failed. `failed` ranks last because §4.3 makes it terminal
 * and statuses never go down: ranking it last keeps the merge commutative, so a `failed` that
 * arrives after `delivered` (or before it) ends the message as failed either way; the delivered
 * and read times are still kept. `played` (voice only) ranks after `read` so it never hides one.
 */
export const STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
};

export interface StatusError {
  code: number | null;
  title: string | null;
  message: string | null;
  details: string | null;
}

export interface StatusPricing {
  category: string | null;
  type: string | null;
  model: string | null;
  billable: boolean | null;
}

/** One `statuses[]` entry of a webhook, normalized (webhooks' parser makes these). */
export interface StatusEvent {
  wamid: string;
  status: DeliveryStatus;
  at: Date;
  recipientId: string | null;
  recipientUserId: string | null;
  callbackData: string | null;
  phoneNumberId: string | null;
  wabaId: string | null;
  error: StatusError | null;
  pricing: StatusPricing | null;
  /** The webhook event (raw payload row) it came from. */
  eventId: string;
}

/** What the ledger knows about one wamid (also the shape of a batch's pre-merged delta). */
export interface LedgerState {
  wamid: string;
  status: DeliveryStatus;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  /** The error of the earliest `failed` event. */
  error: StatusError | null;
  /** Pricing of the highest-ranked status that carried one (Meta sends it with `sent` and once more). */
  pricing: StatusPricing | null;
  pricingRank: number;
  recipientId: string | null;
  recipientUserId: string | null;
  callbackData: string | null;
  phoneNumberId: string | null;
  wabaId: string | null;
  lastEventId: string;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return b.getTime() < a.getTime() ? b : a;
}

function maxId(a: string, b: string): string {
  return BigInt(b) > BigInt(a) ? b : a;
}

function emptyError(): StatusError {
  return { code: null, title: null, message: null, details: null };
}

export function stateOf(e: StatusEvent): LedgerState {
  const at = (s: DeliveryStage): Date | null => (e.status === s ? e.at : null);
  return {
    wamid: e.wamid,
    status: e.status,
    sentAt: at('sent'),
    deliveredAt: at('delivered'),
    readAt: at('read'),
    failedAt: at('failed'),
    error: e.status === 'failed' ? (e.error ?? emptyError()) : null,
    pricing: e.pricing,
    pricingRank: e.pricing ? STATUS_RANK[e.status] : 0,
    recipientId: e.recipientId,
    recipientUserId: e.recipientUserId,
    callbackData: e.callbackData,
    phoneNumberId: e.phoneNumberId,
    wabaId: e.wabaId,
    lastEventId: e.eventId,
  };
}

const MAX_INT4 = 2147483647;

/** Tie-break between two failures at the same second: the lower code (null last). */
function errorOrder(e: StatusError | null): number {
  return e?.code ?? MAX_INT4;
}

/**
 * THE merge rule: joins two states of the same message. Status: the higher rank. Stage
 * timestamps: the earliest seen. Error: the one of the earliest failure (same second: the lower
 * code). Pricing: from the highest-ranked status that carried one (same rank: the smaller
 * category). Ties are broken on values, never on arrival, so the join is commutative. Identity
 * fields are the same in every event of a message; the first known is kept. The ledger's upsert
 * (delivery.repository.ts) is its set-based twin, checked against it on random event sets.
 */
export function mergeStatus(a: LedgerState, b: LedgerState): LedgerState {
  const bFailedFirst =
    b.failedAt !== null &&
    (a.failedAt === null ||
      b.failedAt.getTime() < a.failedAt.getTime() ||
      (b.failedAt.getTime() === a.failedAt.getTime() && errorOrder(b.error) < errorOrder(a.error)));
  const bPricing =
    b.pricingRank > a.pricingRank ||
    (b.pricingRank === a.pricingRank &&
      b.pricingRank > 0 &&
      (b.pricing?.category ?? '') < (a.pricing?.category ?? ''));
  return {
    wamid: a.wamid,
    status: STATUS_RANK[b.status] > STATUS_RANK[a.status] ? b.status : a.status,
    sentAt: earliest(a.sentAt, b.sentAt),
    deliveredAt: earliest(a.deliveredAt, b.deliveredAt),
    readAt: earliest(a.readAt, b.readAt),
    failedAt: earliest(a.failedAt, b.failedAt),
    error: bFailedFirst ? b.error : a.error,
    pricing: bPricing ? b.pricing : a.pricing,
    pricingRank: Math.max(a.pricingRank, b.pricingRank),
    recipientId: a.recipientId ?? b.recipientId,
    recipientUserId: a.recipientUserId ?? b.recipientUserId,
    callbackData: a.callbackData ?? b.callbackData,
    phoneNumberId: a.phoneNumberId ?? b.phoneNumberId,
    wabaId: a.wabaId ?? b.wabaId,
    lastEventId: maxId(a.lastEventId, b.lastEventId),
  };
}

/** Folds a batch's events into one delta per wamid, sorted (one row per statement, one lock order). */
export function mergeStatusEvents(events: readonly StatusEvent[]): LedgerState[] {
  const byWamid = new Map<string, LedgerState>();
  for (const e of events) {
    const next = stateOf(e);
    const prev = byWamid.get(e.wamid);
    byWamid.set(e.wamid, prev ? mergeStatus(prev, next) : next);
  }
  return [...byWamid.values()].sort((x, y) => (x.wamid < y.wamid ? -1 : x.wamid > y.wamid ? 1 : 0));
}

/**
 * The status a campaign message shows once Meta's merged status for it is known. Meta's word
 * always wins over our own bookkeeping: a message we marked failed on our side (no answer), left
 * pending for a resend, or even skipped after an earlier request is what Meta says it is.
 */
export function messageStatusOf(ledger: DeliveryStatus): MessageStatus {
  return ledger === 'played' ? 'read' : ledger;
}

/** Meta charges this message (`pricing.billable`, or `type: regular` now that billable is going). */
export function isBillable(p: StatusPricing | null): boolean {
  return p?.billable === true || p?.type === 'regular';
}

/** `failed` with 131050: the user stopped marketing messages — an authoritative opt-out (MMLITE §8). */
export const OPT_OUT_ERROR_CODE = 131050;

/** A message whose ledger state just became failed with 131050 (once per message, not per duplicate). */
export function isNewOptOut(beforeFailedAt: Date | null, after: LedgerState): boolean {
  return (
    beforeFailedAt === null && after.failedAt !== null && after.error?.code === OPT_OUT_ERROR_CODE
  );
}

/**
 * Our campaign message id, sent as `biz_opaque_callback_data` so a status webhook can be matched
 * even when the send answer was lost; after a manual retry with the retry number (`id:n`), so a
 * late status of the earlier request never settles the new one.
 */
export function callbackDataOf(messageId: string, retries: number): string {
  return retries === 0 ? messageId : `${messageId}:${retries}`;
}
