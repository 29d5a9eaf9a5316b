// Forward-only status rules for outbound messages (MMLITE §4.3, §4.5). Order of arrival is not
// guaranteed and duplicates are normal, so merging must be commutative, associative and idempotent:
// the result of applying a set of status events is the same whatever order they come in.

export const MESSAGE_STATUSES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The stages whose first timestamp we keep in their own column. */
export type MessageStage = 'sent' | 'delivered' | 'read' | 'failed';
export const MESSAGE_STAGES: readonly MessageStage[] = ['sent', 'delivered', 'read', 'failed'];

/**
 * sent < delivered < read < played < failed. `failed` is terminal (§4.3): once a message failed,
 * a late or contradictory `delivered`/`read` does not revive it (its timestamp is still kept).
 * `played` is for voice messages only; ranked after `read` so it never hides a read.
 */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
};

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (MESSAGE_STATUSES as readonly string[]).includes(value);
}

export function stageOf(status: MessageStatus): MessageStage | null {
  return status === 'played' ? null : status;
}

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

/** One `statuses[]` entry, normalized. */
export interface StatusEvent {
  wamid: string;
  status: MessageStatus;
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

/**
 * What we know about one message: the state kept in `message_statuses`, and also the shape of a
 * batch's pre-merged delta for one wamid (the database applies the same rules, see `mergeStatus`).
 */
export interface MessageStatusState {
  wamid: string;
  status: MessageStatus;
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

export function stateOf(e: StatusEvent): MessageStatusState {
  const at = (s: MessageStage): Date | null => (e.status === s ? e.at : null);
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

function emptyError(): StatusError {
  return { code: null, title: null, message: null, details: null };
}

/** Tie-break between two failures at the same second: the lower code (null last). */
function errorOrder(e: StatusError | null): number {
  return e?.code ?? MAX_INT4;
}

const MAX_INT4 = 2147483647;

/**
 * Joins two states of the same message. Status: the higher rank. Stage timestamps: the earliest
 * seen. Error: the one of the earliest failure (same second: the lower code). Pricing: from the
 * highest-ranked status that carried one (same rank: the smaller category). Ties are broken on
 * values, never on arrival, so the join is commutative. Identity fields (recipient, callback
 * data, number) are the same in every event of a message; the first known is kept.
 * `lastEventId` is the newest event that changed something.
 */
export function mergeStatus(a: MessageStatusState, b: MessageStatusState): MessageStatusState {
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

/** Folds a batch's status events into one delta per wamid (the database cannot touch a row twice per statement). */
export function mergeStatusEvents(events: readonly StatusEvent[]): MessageStatusState[] {
  const byWamid = new Map<string, MessageStatusState>();
  for (const e of events) {
    const next = stateOf(e);
    const prev = byWamid.get(e.wamid);
    byWamid.set(e.wamid, prev ? mergeStatus(prev, next) : next);
  }
  // Sorted so concurrent workers lock rows in the same order (no deadlocks between them).
  return [...byWamid.values()].sort((x, y) => (x.wamid < y.wamid ? -1 : x.wamid > y.wamid ? 1 : 0));
}

/**
 * What changed for one message when a delta was applied — the unit consumers count with.
 * `previousStatus` null means the message was unknown until now. Counting by status bucket
 * (leave `previousStatus`, enter `status`) over transitions is exact: duplicates and late, lower
 * statuses produce no status change, and each change is reported once, in the transaction that made it.
 */
export interface StatusTransition {
  wamid: string;
  previousStatus: MessageStatus | null;
  status: MessageStatus;
  statusChanged: boolean;
  /** Stages whose timestamp was set by this change (a late `delivered` after `read` sets only delivered). */
  newStages: MessageStage[];
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  error: StatusError | null;
  pricing: StatusPricing | null;
  recipientId: string | null;
  recipientUserId: string | null;
  callbackData: string | null;
  phoneNumberId: string | null;
  wabaId: string | null;
  /** `failed` with 131050: the user stopped marketing messages — an authoritative opt-out (MMLITE §8). */
  isOptOut: boolean;
}

export const OPT_OUT_ERROR_CODE = 131050;

/** What a transition needs of the state before it. */
export type StageSnapshot = Pick<
  MessageStatusState,
  'status' | 'sentAt' | 'deliveredAt' | 'readAt' | 'failedAt'
>;

/** The transition from `before` (null = unknown message) to `after`, or null when nothing a consumer counts changed. */
export function transitionOf(
  before: StageSnapshot | null,
  after: MessageStatusState,
): StatusTransition | null {
  const stageAt: Record<MessageStage, (s: StageSnapshot) => Date | null> = {
    sent: (s) => s.sentAt,
    delivered: (s) => s.deliveredAt,
    read: (s) => s.readAt,
    failed: (s) => s.failedAt,
  };
  const newStages = MESSAGE_STAGES.filter(
    (stage) =>
      stageAt[stage](after) !== null && (before === null || stageAt[stage](before) === null),
  );
  const statusChanged = before === null || before.status !== after.status;
  if (!statusChanged && newStages.length === 0) {
    return null;
  }
  return {
    wamid: after.wamid,
    previousStatus: before?.status ?? null,
    status: after.status,
    statusChanged,
    newStages,
    sentAt: after.sentAt,
    deliveredAt: after.deliveredAt,
    readAt: after.readAt,
    failedAt: after.failedAt,
    error: after.error,
    pricing: after.pricing,
    recipientId: after.recipientId,
    recipientUserId: after.recipientUserId,
    callbackData: after.callbackData,
    phoneNumberId: after.phoneNumberId,
    wabaId: after.wabaId,
    isOptOut: newStages.includes('failed') && after.error?.code === OPT_OUT_ERROR_CODE,
  };
}
