/**
 * Status of one campaign message and the arithmetic that keeps live counters exact: counters
 * are funnel counts derived from a message's status, so any change adds the difference of the
 * two memberships — duplicates and late, older statuses change nothing.
 */
export type MessageStatus =
  'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'cancelled';

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface Counters {
  targeted: number;
  skipped: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  billable: number;
}

export const COUNTER_NAMES: ReadonlyArray<keyof Counters> = [
  'targeted',
  'skipped',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'billable',
];

export function zeroCounters(): Counters {
  return {
    targeted: 0,
    skipped: 0,
    queued: 0,
    sending: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    billable: 0,
  };
}

const RANK: Record<MessageStatus, number> = {
  pending: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  skipped: 6,
  cancelled: 6,
};

/**
 * The status after a delivery report (MMLITE §4.3): only forward (sent < delivered < read);
 * `failed` ends a message that was not yet delivered; nothing moves a skipped or cancelled one.
 */
export function mergeStatus(current: MessageStatus, incoming: DeliveryStatus): MessageStatus {
  if (current === 'skipped' || current === 'cancelled' || current === 'failed') {
    return current;
  }
  if (incoming === 'failed') {
    return current === 'delivered' || current === 'read' ? current : 'failed';
  }
  return RANK[incoming] > RANK[current] ? incoming : current;
}

/** Which funnel counters a message in this state belongs to. */
export function membership(
  status: MessageStatus,
  accepted: boolean,
  clicked: boolean,
  billable: boolean,
): Partial<Counters> {
  const m: Partial<Counters> = {};
  switch (status) {
    case 'pending':
      m.queued = 1;
      break;
    case 'sending':
      m.sending = 1;
      break;
    case 'read':
      m.read = 1;
      m.delivered = 1;
      m.sent = 1;
      break;
    case 'delivered':
      m.delivered = 1;
      m.sent = 1;
      break;
    case 'sent':
      m.sent = 1;
      break;
    case 'failed':
      m.failed = 1;
      if (accepted) {
        m.sent = 1;
      }
      break;
    case 'skipped':
      m.skipped = 1;
      break;
    case 'cancelled':
      break;
  }
  if (clicked) {
    m.clicked = 1;
  }
  if (billable) {
    m.billable = 1;
  }
  return m;
}

export interface MessageState {
  status: MessageStatus;
  accepted: boolean;
  clicked: boolean;
  billable: boolean;
}

/** Counter changes when one message goes from `before` (null: new row) to `after`. */
export function counterDelta(before: MessageState | null, after: MessageState): Partial<Counters> {
  const a = membership(after.status, after.accepted, after.clicked, after.billable);
  const b = before
    ? membership(before.status, before.accepted, before.clicked, before.billable)
    : { targeted: -1 };
  const out: Partial<Counters> = {};
  for (const k of COUNTER_NAMES) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d !== 0) {
      out[k] = d;
    }
  }
  if (!before) {
    out.targeted = 1;
  }
  return out;
}

/** Adds deltas into an accumulator (one per campaign in a batch). */
export function addCounters(into: Partial<Counters>, d: Partial<Counters>): Partial<Counters> {
  for (const k of COUNTER_NAMES) {
    const v = d[k];
    if (v) {
      const sum = (into[k] ?? 0) + v;
      if (sum === 0) {
        delete into[k];
      } else {
        into[k] = sum;
      }
    }
  }
  return into;
}
